import { Logger } from '@nestjs/common';
import {
  GenServer,
  GenServerRuntime,
  HandleCall,
  Init,
  Periodic,
  PeriodicRegistry,
  parseDuration,
} from 'nestjs-genserver';
import { MetricsOptions } from './metrics.options.js';
import { MetricsProbe, type ProbeReading } from './metrics.probe.js';

/** One sample: when its tick was planned, when it ran, and what the probe read. */
export interface Sample extends ProbeReading {
  /** The job's run count: 1 for the first tick since the app started. */
  readonly tick: number;
  readonly plannedAt: string;
  readonly at: string;
  /** How long after its planned time the tick ran (the timer's and the mailbox's delay). */
  readonly lateMs: number;
}

/** What `GET /metrics` shows. */
export interface MetricsReport {
  readonly every: string;
  readonly keep: number;
  /**
   * How close the ticks ran to plan. Each sample's `plannedAt` is on the grid start + n × every, however
   * late the ticks before it ran: lateness does not add up.
   */
  readonly drift: {
    /** Ticks run since the app started, restarts included (the job's counter). */
    readonly ticks: number;
    readonly nextPlannedAt: string | null;
    /** Over the ring. */
    readonly lastLateMs: number | null;
    readonly maxLateMs: number | null;
  };
  /** The ring, newest first. */
  readonly samples: readonly Sample[];
}

const JOB = 'MetricsCollector.collect';

/**
 * The MetricsCollector of "GenServer Patterns You Should Know", without its drift: the article
 * reschedules with `Process.send_after` at the end of each collection; here the collection is a
 * fixed-rate `@Periodic`, so tick n is planned at start + n × every whatever each run takes. Keeps the
 * last `keep` samples in a ring.
 */
@GenServer()
export class MetricsCollector {
  private readonly logger = new Logger(MetricsCollector.name);
  readonly samples: Sample[] = []; // oldest first, at most `keep`
  private readonly everyMs: number;

  constructor(
    private readonly probe: MetricsProbe,
    private readonly options: MetricsOptions,
    private readonly jobs: PeriodicRegistry,
    private readonly runtime: GenServerRuntime, // its clock is the manual one in tests
  ) {
    this.everyMs = parseDuration(options.every, 'MetricsOptions.every');
  }

  @Init()
  init(): void {
    this.logger.log(
      `Sampling every ${this.options.every} (fixed rate), keeping the last ${this.options.keep}`,
    );
  }

  @Periodic({
    useFactory: (options: MetricsOptions) => ({ every: options.every, mode: 'fixed-rate' }),
    inject: [MetricsOptions],
  })
  collect(): void {
    const now = this.runtime.clock.now();
    const job = this.jobs.get(JOB); // the next tick is armed already: this one was planned a period before
    let plannedAt = job.nextRunAt !== undefined ? job.nextRunAt - this.everyMs : now;
    while (plannedAt > now) plannedAt -= this.everyMs; // it waited in a busy mailbox past the next tick
    const lateMs = now - plannedAt;
    const sample: Sample = {
      tick: job.runs,
      plannedAt: new Date(plannedAt).toISOString(),
      at: new Date(now).toISOString(),
      lateMs,
      ...this.probe.read(),
    };
    this.samples.push(sample);
    if (this.samples.length > this.options.keep) this.samples.shift(); // the ring: drop the oldest
    if (lateMs > this.options.warnLateMs) {
      this.logger.warn(`Tick ${sample.tick} ran ${lateMs} ms late; the next one stays on the grid`);
    }
  }

  @HandleCall()
  report(): MetricsReport {
    const { runs, nextRunAt } = this.jobs.get(JOB);
    const late = this.samples.map((sample) => sample.lateMs);
    return {
      every: String(this.options.every),
      keep: this.options.keep,
      drift: {
        ticks: runs,
        nextPlannedAt: nextRunAt === undefined ? null : new Date(nextRunAt).toISOString(),
        lastLateMs: late.at(-1) ?? null,
        maxLateMs: late.length === 0 ? null : Math.max(...late),
      },
      samples: [...this.samples].reverse(),
    };
  }
}
