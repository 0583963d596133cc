import {
  ServerProcess,
  fixedDelay,
  fixedRate,
  type RuntimeLogger,
  type Schedule,
} from 'nestjs-genserver/runtime';
import { gc } from './memory.js';
import { size } from './mode.js';

/**
 * Periodic jobs on the real clock (the default SystemClock), each figure with a baseline from the same run:
 * - 1000 ticks of 10 ms, each doing 1 ms of synchronous work: fixed rate, fixed delay and a raw
 *   `setInterval`, one after another in the same run (each alone, so one's work never delays another);
 * - 10,000 servers ticking at a fixed rate of 1 s (started spread over the first second), then 10,000 raw
 *   `setInterval(…, 1000)` timers started the same way in a window of their own, 5 ticks each;
 * - CPU used by 10,000 idle periodic servers (every 60 s, so nothing ticks) over 5 s, vs the same 5 s with
 *   none.
 *
 * Tick times are `performance.timeOrigin + performance.now()` (sub-ms), shifted onto `Date.now()`'s
 * millisecond grid by a calibration at the start of each window: the runtime schedules with `Date.now()`, so
 * a tick due at `anchor + n·period` is due when `Date.now()` reaches that value.
 */

const silent: RuntimeLogger = { debug() {}, log() {}, warn() {}, error() {} };

// Sizes: `size(full, smoke)` (mode.ts); smoke mode only shrinks them, the measurements are unchanged. MANY
// stays a multiple of 100 (the start slots).
const PERIOD_MS = 10;
const TICKS = size(1000, 10);
const WORK_MS = 1;
const MANY = size(10_000, 100);
const MANY_PERIOD_MS = size(1000, 100);
const MANY_TICKS = size(5, 2);
const IDLE_PERIOD_MS = 60_000;
const IDLE_SECONDS = size(5, 0.2);
/**
 * A fixed-rate tick is read against the last instant of its grid at most this long after it: ticks come a
 * little early (Node's timers run up to ~1 ms short), and often later, but not by most of a period.
 */
const EARLY_MS = 2;

/**
 * Drift, jitter and lateness of one contender's ticks (ms). `extra` counts second runs for one instant of
 * the schedule: for fixed rate, a run read against the same instant of its grid as the previous run; for
 * the others, a run less than half a period after the previous one.
 */
export interface TickSeries {
  ticks: number;
  /**
   * Tick n − (start + n·period), at the last tick: n counts runs, so each extra run moves it a period
   * earlier and each missed tick (a stall, by design not run) a period later.
   */
  driftMs: number;
  /**
   * How far the schedule moved over the run, apart from the lateness of any one tick: the median offset
   * (tick n − (start + n·period)) of the last `w` ticks − that of the first `w`, w = min(100, ticks / 4).
   * Timer lateness (Node's millisecond timers: 0–1 ms on every tick) cancels out; accumulation does not.
   */
  driftOverRunMs: number;
  /** Fixed rate: the last tick − the instant of the grid it was for (the drift of the grid itself). */
  driftVsGridMs?: number;
  /** |interval between consecutive ticks − period|. */
  jitterP50Ms: number;
  jitterP99Ms: number;
  /** The longest interval between consecutive ticks: a stall of the event loop shows here. */
  maxIntervalMs: number;
  /**
   * Tick − the time its own schedule set for it. Fixed rate: the last instant of the grid
   * start + n·period up to `EARLY_MS` after the tick, so a tick is read against the instant it was for even
   * after extra or missed ticks (a stall longer than a period shows in `maxIntervalMs` and `missed`
   * instead). Fixed delay: the previous run's end + period. Negative: the tick ran early.
   */
  latenessMinMs?: number;
  latenessP50Ms?: number;
  latenessP99Ms?: number;
  extra: number;
  /** From the server's `info().periodic`: ticks dropped (overlap) and ticks lost to a stall. */
  skipped?: number;
  missed?: number;
}

/** Lateness and drift over many timers (ms), across all their ticks. */
export interface ManySeries {
  ticks: number;
  /** Tick − its instant of the grid start + n·period (as in {@link TickSeries}), over every tick. */
  latenessMinMs: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  /** |tick n − (start + n·period)| at the last tick of each timer, n counting every run: p50, p99. */
  driftP50Ms: number;
  driftP99Ms: number;
  /** Each timer's |drift over the run| (as {@link TickSeries.driftOverRunMs}): p50, p99. */
  driftOverRunP50Ms: number;
  driftOverRunP99Ms: number;
  jitterP50Ms: number;
  jitterP99Ms: number;
  /** Second runs for one instant of the grid (as in {@link TickSeries}), and the timers that had any. */
  extra: number;
  timersWithExtra: number;
  skipped?: number;
  missed?: number;
}

export interface PeriodicFigures {
  timeSource: string;
  tenMs: {
    periodMs: number;
    ticks: number;
    workMs: number;
    windowS: number;
    /** Date.now() − performance clock, change over the window (NTP slewing would show here). */
    clockSkewMs: number;
    fixedRate: TickSeries;
    fixedDelay: TickSeries;
    setInterval: TickSeries;
  };
  many: {
    servers: number;
    periodMs: number;
    ticksEach: number;
    start: string;
    window: string;
    windowS: number;
    fixedRate: ManySeries;
    setInterval: ManySeries;
  };
  idle: { servers: number; periodMs: number; seconds: number; cpuMs: number; baselineCpuMs: number };
}

// ------------------------------------------------------------------ time

let offset = 0;

/** Wall time in ms, sub-ms resolution, on `Date.now()`'s grid. */
function wall(): number {
  return performance.timeOrigin + performance.now() + offset;
}

/** Offset of `Date.now()` from the performance clock: read at the instant `Date.now()` turns over. */
function calibrate(): number {
  const samples: number[] = [];
  for (let s = 0; s < 5; s++) {
    const d0 = Date.now();
    let hr: number;
    let d: number;
    do {
      hr = performance.timeOrigin + performance.now();
      d = Date.now();
    } while (d === d0);
    samples.push(d - hr);
  }
  return samples.sort((a, b) => a - b)[2];
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function sorted(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Resolves at `done()` or after `ms`, whichever comes first. */
function deadline(ms: number): { promise: Promise<void>; done: () => void } {
  let done!: () => void;
  const promise = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    done = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { promise, done };
}

// ------------------------------------------------------------------ 1000 ticks of 10 ms

/** When each run of one contender's handler started and ended. */
class Stamps {
  readonly at = new Float64Array(TICKS);
  readonly end = new Float64Array(TICKS);
  n = 0;
  start = 0;
  readonly finished = deadline(30_000);

  record(): void {
    const n = this.n;
    if (n >= TICKS) return;
    this.at[n] = wall();
    busy(WORK_MS);
    this.end[n] = wall();
    if (++this.n === TICKS) this.finished.done();
  }
}

class Ticker {
  constructor(private readonly stamps: Stamps) {}

  tick(): void {
    this.stamps.record();
  }
}

function ticker(stamps: Stamps, schedule: Schedule): ServerProcess<Ticker> {
  return new ServerProcess<Ticker>(
    {
      name: 'Ticker',
      create: () => new Ticker(stamps),
      periodic: [{ name: 'tick', handler: Ticker.prototype.tick, schedule }],
    },
    { logger: silent },
  );
}

/** The schedule's own start: the first tick is armed at anchor + period. */
function anchorOf<T extends object>(p: ServerProcess<T>, periodMs: number): number {
  return (p.info().periodic?.[0].nextRunAt as number) - periodMs;
}

/** Accumulates the figures of a run of ticks (one timer, or many). */
class Figures {
  readonly jitter: number[] = [];
  maxInterval = 0;
  readonly late: number[] = [];
  readonly drift: number[] = [];
  readonly overRun: number[] = [];
  extra = 0;
  timersWithExtra = 0;

  /**
   * `at`: tick times; `start`: the schedule's start. `against`: what lateness is measured against — the
   * grid start + n·period (`grid`), the previous run's end + period (the runs' end times), or nothing.
   */
  add(
    at: ArrayLike<number>,
    n: number,
    start: number,
    periodMs: number,
    against?: 'grid' | ArrayLike<number>,
  ) {
    const extraBefore = this.extra;
    let previousSlot = 0;
    for (let i = 0; i < n; i++) {
      const interval = i > 0 ? at[i] - at[i - 1] : NaN;
      if (i > 0) {
        this.jitter.push(Math.abs(interval - periodMs));
        this.maxInterval = Math.max(this.maxInterval, interval);
      }
      if (against === 'grid') {
        const slot = Math.max(1, Math.floor((at[i] + EARLY_MS - start) / periodMs));
        if (slot === previousSlot) this.extra++;
        previousSlot = slot;
        this.late.push(at[i] - (start + slot * periodMs));
      } else {
        if (interval < periodMs / 2) this.extra++;
        if (against !== undefined && i > 0) this.late.push(at[i] - (against[i - 1] + periodMs));
      }
    }
    if (n > 0) this.drift.push(at[n - 1] - (start + n * periodMs));
    if (n > 1) this.overRun.push(driftOverRun(at, n, start, periodMs));
    if (this.extra > extraBefore) this.timersWithExtra++;
  }
}

/** See {@link TickSeries.driftOverRunMs}. */
function driftOverRun(at: ArrayLike<number>, n: number, start: number, periodMs: number): number {
  const w = Math.max(1, Math.min(100, Math.floor(n / 4)));
  const offsets = (from: number): number[] =>
    Array.from({ length: w }, (_, k) => at[from + k] - (start + (from + k + 1) * periodMs));
  const median = (values: number[]): number => {
    const v = sorted(values);
    return v.length % 2 === 1 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  return median(offsets(n - w)) - median(offsets(0));
}

function series(s: Stamps, periodMs: number, against?: 'grid' | 'ends'): TickSeries {
  const f = new Figures();
  f.add(s.at, s.n, s.start, periodMs, against === 'ends' ? s.end : against);
  const j = sorted(f.jitter);
  const l = sorted(f.late);
  return {
    ticks: s.n,
    driftMs: f.drift[0],
    driftOverRunMs: f.overRun[0],
    ...(against === 'grid' ? { driftVsGridMs: f.late[f.late.length - 1] } : {}),
    jitterP50Ms: percentile(j, 0.5),
    jitterP99Ms: percentile(j, 0.99),
    maxIntervalMs: f.maxInterval,
    ...(against !== undefined
      ? { latenessMinMs: l[0], latenessP50Ms: percentile(l, 0.5), latenessP99Ms: percentile(l, 0.99) }
      : {}),
    extra: f.extra,
  };
}

function counters<T extends object>(p: ServerProcess<T>): { skipped: number; missed: number } {
  const jobs = p.info().periodic ?? [];
  return {
    skipped: jobs.reduce((sum, job) => sum + job.skipped, 0),
    missed: jobs.reduce((sum, job) => sum + job.missed, 0),
  };
}

/** Runs one contender alone in its own window until it has ticked TICKS times. */
async function alone(
  stamps: Stamps,
  begin: () => Promise<number>,
  end: () => Promise<void>,
): Promise<number> {
  gc();
  await sleep(500); // let V8 finish sweeping before the window
  const t0 = wall();
  stamps.start = await begin();
  await stamps.finished.promise;
  await end();
  return (wall() - t0) / 1000;
}

async function tenMs(): Promise<PeriodicFigures['tenMs']> {
  const rate = new Stamps();
  const delay = new Stamps();
  const raw = new Stamps();
  const rateServer = ticker(rate, fixedRate(PERIOD_MS));
  const delayServer = ticker(delay, fixedDelay(PERIOD_MS));
  offset = calibrate();
  let windowS = 0;
  // One after another, so one contender's work never delays another's tick.
  windowS += await alone(
    rate,
    async () => {
      await rateServer.start();
      return anchorOf(rateServer, PERIOD_MS);
    },
    () => Promise.resolve(),
  );
  const rateCount = counters(rateServer);
  await rateServer.stop();
  windowS += await alone(
    delay,
    async () => {
      await delayServer.start();
      return anchorOf(delayServer, PERIOD_MS);
    },
    () => Promise.resolve(),
  );
  const delayCount = counters(delayServer);
  await delayServer.stop();
  assertStopped([rateServer, delayServer]);
  let interval: ReturnType<typeof setInterval> | undefined;
  windowS += await alone(
    raw,
    () => {
      interval = setInterval(() => {
        raw.record();
        if (raw.n === TICKS) clearInterval(interval);
      }, PERIOD_MS);
      return Promise.resolve(Date.now());
    },
    () => Promise.resolve(clearInterval(interval)),
  );
  const clockSkewMs = calibrate() - offset;
  return {
    periodMs: PERIOD_MS,
    ticks: TICKS,
    workMs: WORK_MS,
    windowS,
    clockSkewMs,
    fixedRate: { ...series(rate, PERIOD_MS, 'grid'), ...rateCount },
    fixedDelay: { ...series(delay, PERIOD_MS, 'ends'), ...delayCount },
    setInterval: series(raw, PERIOD_MS),
  };
}

// ------------------------------------------------------------------ 10,000 timers of 1 s

/** Tick times of many timers: `at[i·MANY_TICKS + k]` is timer i's tick k + 1. */
class Board {
  readonly at = new Float64Array(MANY * MANY_TICKS).fill(NaN);
  readonly start = new Float64Array(MANY);
  recorded = 0;
  /** Its window: made when the first timer starts, so each board gets its full time limit. */
  private window: ReturnType<typeof deadline> | undefined;

  /** Resolves when every timer has ticked `MANY_TICKS` times, or after a generous time limit. */
  get finished(): Promise<void> {
    return (this.window ??= deadline(MANY_PERIOD_MS * (MANY_TICKS + 4))).promise;
  }

  record(id: number, k: number): void {
    this.at[id * MANY_TICKS + k] = wall();
    if (++this.recorded === MANY * MANY_TICKS) this.window?.done();
  }

  series(): ManySeries {
    const f = new Figures();
    for (let i = 0; i < MANY; i++) {
      const at = this.at.subarray(i * MANY_TICKS, (i + 1) * MANY_TICKS);
      const n = at.findIndex(Number.isNaN);
      f.add(at, n === -1 ? MANY_TICKS : n, this.start[i], MANY_PERIOD_MS, 'grid');
    }
    const l = sorted(f.late);
    const d = sorted(f.drift.map(Math.abs));
    const o = sorted(f.overRun.map(Math.abs));
    const j = sorted(f.jitter);
    return {
      ticks: this.recorded,
      latenessMinMs: l[0],
      latenessP50Ms: percentile(l, 0.5),
      latenessP99Ms: percentile(l, 0.99),
      latenessMaxMs: l[l.length - 1],
      driftP50Ms: percentile(d, 0.5),
      driftP99Ms: percentile(d, 0.99),
      driftOverRunP50Ms: percentile(o, 0.5),
      driftOverRunP99Ms: percentile(o, 0.99),
      jitterP50Ms: percentile(j, 0.5),
      jitterP99Ms: percentile(j, 0.99),
      extra: f.extra,
      timersWithExtra: f.timersWithExtra,
    };
  }
}

/** The trivial work of one of the many: note the time of its first MANY_TICKS ticks. */
class Beat {
  private k = 0;

  constructor(
    private readonly board: Board,
    private readonly id: number,
  ) {}

  tick(): void {
    if (this.k < MANY_TICKS) this.board.record(this.id, this.k++);
  }
}

/**
 * Starts `MANY` timers spread over the first period — 100 slots, each starting `MANY / 100` of them — and
 * resolves when all have ticked `MANY_TICKS` times. `startOne(i)` starts timer i and returns its
 * schedule's start.
 */
async function spread(board: Board, startOne: (i: number) => Promise<number> | number): Promise<number> {
  gc();
  await sleep(500); // let V8 finish sweeping before the window
  offset = calibrate();
  const t0 = wall();
  const finished = board.finished;
  const SLOTS = 100;
  const perSlot = MANY / SLOTS;
  for (let slot = 0; slot < SLOTS; slot++) {
    const wait = t0 + (slot * MANY_PERIOD_MS) / SLOTS - wall();
    if (wait > 0) await sleep(wait);
    const starts = [];
    for (let i = slot * perSlot; i < (slot + 1) * perSlot; i++) starts.push(startOne(i));
    const anchors = await Promise.all(starts);
    for (let j = 0; j < perSlot; j++) board.start[slot * perSlot + j] = anchors[j];
  }
  await finished;
  return (wall() - t0) / 1000;
}

export async function many(): Promise<PeriodicFigures['many']> {
  const servers = new Board();
  const raws = new Board();
  const processes: ServerProcess<Beat>[] = [];
  for (let i = 0; i < MANY; i++) {
    processes.push(
      new ServerProcess<Beat>(
        {
          name: 'Beat',
          create: () => new Beat(servers, i),
          periodic: [{ name: 'tick', handler: Beat.prototype.tick, schedule: fixedRate(MANY_PERIOD_MS) }],
        },
        { logger: silent },
      ),
    );
  }
  // One window each, as for the 10 ms ticks: 10,000 foreign timers firing in the same milliseconds would
  // queue ahead of the servers' ticks (and theirs ahead of the baseline's).
  let windowS = await spread(servers, async (i) => {
    await processes[i].start();
    return anchorOf(processes[i], MANY_PERIOD_MS);
  });
  let skipped = 0;
  let missed = 0;
  for (const p of processes) {
    const c = counters(p);
    skipped += c.skipped;
    missed += c.missed;
  }
  await Promise.all(processes.map((p) => p.stop()));
  assertStopped(processes);
  const intervals: ReturnType<typeof setInterval>[] = [];
  windowS += await spread(raws, (i) => {
    let k = 0;
    const interval = setInterval(() => {
      raws.record(i, k);
      if (++k === MANY_TICKS) clearInterval(interval);
    }, MANY_PERIOD_MS);
    intervals.push(interval);
    return Date.now();
  });
  for (const interval of intervals) clearInterval(interval);
  return {
    servers: MANY,
    periodMs: MANY_PERIOD_MS,
    ticksEach: MANY_TICKS,
    start: 'spread evenly over the first period (100 slots)',
    window: 'one window each: the servers alone, then the setInterval timers alone',
    windowS,
    fixedRate: { ...servers.series(), skipped, missed },
    setInterval: raws.series(),
  };
}

// ------------------------------------------------------------------ idle CPU

class Idle {
  tick(): void {}
}

async function idleCpu(): Promise<PeriodicFigures['idle']> {
  const window = async (): Promise<number> => {
    // Collect, then let V8's concurrent sweeping of that collection finish on its helper threads (their CPU
    // counts too): the window then measures only itself.
    gc();
    await sleep(500);
    const start = process.cpuUsage();
    await sleep(IDLE_SECONDS * 1000);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const baselineCpuMs = await window();
  const processes: ServerProcess<Idle>[] = [];
  for (let i = 0; i < MANY; i++) {
    processes.push(
      new ServerProcess<Idle>(
        {
          name: `Idle${i}`,
          create: () => new Idle(),
          periodic: [{ name: 'tick', handler: Idle.prototype.tick, schedule: fixedRate(IDLE_PERIOD_MS) }],
        },
        { logger: silent },
      ),
    );
  }
  await Promise.all(processes.map((p) => p.start()));
  for (let i = 0; i < 100; i++) await new Promise((resolve) => setImmediate(resolve));
  const cpuMs = await window();
  await Promise.all(processes.map((p) => p.stop()));
  assertStopped(processes);
  return { servers: MANY, periodMs: IDLE_PERIOD_MS, seconds: IDLE_SECONDS, cpuMs, baselineCpuMs };
}

/** Every job is disarmed once its server stopped (their timers are unref'd: they would not show). */
function assertStopped<T extends object>(processes: ServerProcess<T>[]): void {
  for (const p of processes) {
    if (p.info().periodic?.some((job) => job.status !== 'stopped' || job.nextRunAt !== undefined)) {
      throw new Error(`${p.name}: a periodic job is still armed after stop()`);
    }
  }
}

export async function measurePeriodic(): Promise<PeriodicFigures> {
  const ten = await tenMs();
  const lots = await many();
  const idle = await idleCpu();
  return {
    timeSource: "performance.timeOrigin + performance.now(), shifted onto Date.now()'s ms grid",
    tenMs: ten,
    many: lots,
    idle,
  };
}
