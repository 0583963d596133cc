import { DynamicSupervisor, ServerProcess, Supervisor, type RuntimeLogger } from 'nestjs-genserver/runtime';
import { heap } from './memory.js';
import { size } from './mode.js';

/**
 * Supervision figures, each with a baseline from the same run:
 * - crash → restarted instance answering a call, vs a plain call round trip;
 * - starting 1,000,000 dynamic children: time per start and heap bytes per idle child beyond the user's
 *   own fields (measured as 1,000,000 plain instances of the same class);
 * - CPU used by 10,000 idle supervised servers over 5 s, vs the same 5 s with no servers.
 */

const noop: RuntimeLogger = { debug() {}, log() {}, warn() {}, error() {} };

class Worker {
  value = 0;
  ping(): number {
    return ++this.value;
  }
  boom(): never {
    throw new Error('boom');
  }
}

/** The user's own state of one game: what a plain object with the same fields costs. */
class Game {
  id: unknown = undefined;
  moves = 0;
  join(): number {
    return ++this.moves;
  }
}

export interface SupervisionFigures {
  restart: { p50Us: number; p99Us: number; callP50Us: number };
  dynamic: {
    children: number;
    startNs: number;
    startKeyedNs: number;
    bytesPerChild: number;
    bytesAfterCall: number;
    plainObjectBytes: number;
  };
  idle: { servers: number; seconds: number; cpuMs: number; baselineCpuMs: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function restartLatency(): Promise<SupervisionFigures['restart']> {
  const sup = new Supervisor({ name: 'bench', logger: noop, maxRestarts: 1_000_000, withinMs: 1 });
  const worker = new ServerProcess<Worker>(
    {
      name: 'Worker',
      create: () => new Worker(),
      calls: { ping: Worker.prototype.ping, boom: Worker.prototype.boom },
    },
    { logger: noop },
  );
  sup.add(worker);
  await sup.start();
  const callSamples: number[] = [];
  const restartSamples: number[] = [];
  const warm = size(2000, 10);
  for (let i = 0; i < warm + size(20_000, 50); i++) {
    const t0 = process.hrtime.bigint();
    await worker.call('ping', []);
    const t1 = process.hrtime.bigint();
    await worker.call('boom', []).catch(() => undefined);
    await worker.call('ping', []); // waits through the restart; answered by the new instance
    const t2 = process.hrtime.bigint();
    if (i >= warm) {
      callSamples.push(Number(t1 - t0));
      restartSamples.push(Number(t2 - t1));
    }
  }
  await sup.stop();
  callSamples.sort((a, b) => a - b);
  restartSamples.sort((a, b) => a - b);
  return {
    p50Us: percentile(restartSamples, 0.5) / 1000,
    p99Us: percentile(restartSamples, 0.99) / 1000,
    callP50Us: percentile(callSamples, 0.5) / 1000,
  };
}

async function dynamicChildren(n: number): Promise<SupervisionFigures['dynamic']> {
  const spec = {
    name: 'Game',
    create: () => new Game(),
    init(this: Game, args: unknown) {
      this.id = args;
    },
    calls: { join: Game.prototype.join },
  };
  // Baseline: the user's own objects alone. The array holding them is allocated before the first
  // reading, so only the instances are counted.
  const plain = new Array<Game | undefined>(n).fill(undefined);
  let before = heap();
  for (let i = 0; i < n; i++) {
    const g = new Game();
    g.id = i;
    plain[i] = g;
  }
  const plainObjectBytes = (heap() - before) / n;
  // Read `plain` after the measurement: a local that is never read again is dead to V8's liveness
  // analysis, and the GC in heap() collected the whole array (the baseline used to read 0 B).
  plain.fill(undefined);

  const startAll = async (keyed: boolean): Promise<{ sup: DynamicSupervisor<Game>; ns: number }> => {
    const sup = new DynamicSupervisor<Game>({ name: 'Games', spec, logger: noop });
    await sup.start();
    const t0 = process.hrtime.bigint();
    const CHUNK = 10_000;
    for (let i = 0; i < n; i += CHUNK) {
      const starts = new Array<Promise<unknown>>(CHUNK);
      for (let j = 0; j < CHUNK; j++)
        starts[j] = sup.startChild(i + j, keyed ? { key: `g${i + j}` } : undefined);
      await Promise.all(starts);
    }
    return { sup, ns: Number(process.hrtime.bigint() - t0) / n };
  };

  const keyedRun = await startAll(true);
  await keyedRun.sup.stop('shutdown', { drain: false });
  before = heap();
  const { sup, ns } = await startAll(false);
  const bytesPerChild = (heap() - before) / n - plainObjectBytes;
  await sup.stop('shutdown', { drain: false });

  // After one call each, a child also holds its (lazily made) mailbox and call-deadline tracker.
  const sample = Math.min(n, 100_000);
  const called = new DynamicSupervisor<Game>({ name: 'Games', spec, logger: noop });
  await called.start();
  const children: ServerProcess<Game>[] = [];
  for (let k = 0; k < sample; k++) children.push(await called.startChild(k));
  before = heap();
  await Promise.all(children.map((child) => child.call('join', [])));
  const bytesAfterCall = bytesPerChild + (heap() - before) / sample;
  await called.stop('shutdown', { drain: false });
  return {
    children: n,
    startNs: ns,
    startKeyedNs: keyedRun.ns,
    bytesPerChild,
    bytesAfterCall,
    plainObjectBytes,
  };
}

async function idleCpu(servers: number, seconds: number): Promise<SupervisionFigures['idle']> {
  const wait = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  let start = process.cpuUsage();
  await wait();
  const baseline = process.cpuUsage(start);
  const sup = new Supervisor({ name: 'idle', logger: noop });
  for (let i = 0; i < servers; i++) {
    sup.add(
      new ServerProcess<Worker>(
        { name: `Idle${i}`, create: () => new Worker(), calls: { ping: Worker.prototype.ping } },
        { logger: noop },
      ),
    );
  }
  await sup.start();
  for (let i = 0; i < 100; i++) await new Promise((resolve) => setImmediate(resolve));
  start = process.cpuUsage();
  await wait();
  const used = process.cpuUsage(start);
  await sup.stop();
  return {
    servers,
    seconds,
    cpuMs: (used.user + used.system) / 1000,
    baselineCpuMs: (baseline.user + baseline.system) / 1000,
  };
}

export async function measureSupervision(): Promise<SupervisionFigures> {
  const restart = await restartLatency();
  const dynamic = await dynamicChildren(size(1_000_000, 10_000));
  const idle = await idleCpu(size(10_000, 10), size(5, 0.2));
  return { restart, dynamic, idle };
}
