import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type ChildInfo, GenServerRuntime } from 'nestjs-genserver';

/** What the probe reads: the process's memory, the event loop's delay since the last reading, the tree. */
export interface ProbeReading {
  readonly heapUsedMb: number;
  readonly rssMb: number;
  /** Event-loop delay since the previous reading (`perf_hooks.monitorEventLoopDelay`), in ms. */
  readonly eventLoopDelayMs: { readonly mean: number; readonly p99: number; readonly max: number };
  /** From the runtime's snapshot: servers running now, and restarts over the app's life. */
  readonly servers: { readonly running: number; readonly restarts: number };
}

const MB = 1024 * 1024;
/** The histogram's sampling timer, in ms: its readings include it, so it is taken off. */
const RESOLUTION_MS = 10;
const round1 = (value: number): number => (Number.isFinite(value) ? Math.round(value * 10) / 10 : 0);

/**
 * Reads real numbers of this process. The event-loop histogram lives here, not in the server, so a
 * restarted collector keeps measuring; it is switched off when the app closes.
 */
@Injectable()
export class MetricsProbe implements OnModuleInit, OnModuleDestroy {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor(private readonly runtime: GenServerRuntime) {}

  onModuleInit(): void {
    this.loop.enable();
  }

  onModuleDestroy(): void {
    this.loop.disable();
  }

  read(): ProbeReading {
    const memory = process.memoryUsage();
    const ms = (ns: number) => round1(Math.max(0, ns / 1e6 - RESOLUTION_MS));
    const eventLoopDelayMs = {
      mean: ms(this.loop.mean),
      p99: ms(this.loop.percentile(99)),
      max: ms(this.loop.max),
    };
    this.loop.reset();
    const servers = { running: 0, restarts: 0 };
    const visit = (child: ChildInfo): void => {
      if (child.type === 'server') {
        if (child.status === 'running') servers.running++;
        servers.restarts += child.restarts;
      } else if (child.type === 'supervisor' || child.type === 'dynamic_supervisor') {
        child.children.forEach(visit);
      }
    };
    this.runtime.snapshot().root.children.forEach(visit);
    return {
      heapUsedMb: round1(memory.heapUsed / MB),
      rssMb: round1(memory.rss / MB),
      eventLoopDelayMs,
      servers,
    };
  }
}
