import { measure } from 'mitata';
import {
  Agent,
  ServerProcess,
  TaskSupervisor,
  type AsyncStreamOptions,
  type DeferredReply,
  type RuntimeLogger,
} from 'nestjs-genserver/runtime';
import { heap } from './memory.js';
import { sampling, size } from './mode.js';

/**
 * Supervised tasks and agents, every figure next to baselines measured in the same run:
 * - `async(fn).await()` round trip (a sync fn, an async fn) vs a bare promise (the floor) and vs a careful
 *   hand-written task: `queueMicrotask` + a promise + an AbortController (the baseline);
 * - `start(fn)` ×10,000 then all settled, per task, vs 10,000 `Promise.resolve().then(fn).catch(log)`;
 * - `asyncStream` over 10,000 items, maxConcurrency 8, per item, vs a p-limit-style pool of 8 written here
 *   (the baseline) and 8 workers pulling from one shared index (the floor);
 * - an agent's `update` / `get` round trips vs a GenServer call on a counter and vs a direct function on an
 *   object; `cast` per message vs a GenServer cast;
 * - a call whose handler defers its reply and answers from a microtask, vs a plain call;
 * - heap per idle running task (100,000 pending) vs bare pending promises and the hand-written task.
 */

const silent: RuntimeLogger = { debug() {}, log() {}, warn() {}, error() {} };

/** Items / tasks per iteration of the throughput cases. */
const N = size(10_000, 100);
const CONCURRENCY = 8;
const PENDING = size(100_000, 1000);
const CAST_BATCH = size(1000, 10);
const ROUNDS = size(5, 1);
/** Per case and round: at least this much measured time (mitata's `min_cpu_time`, ns). */
const MIN_CPU_NS = 100e6;
/** Per case and round, at least this many samples (a sample of a batch case is one whole batch). */
const MIN_SAMPLES = 12;
const MIN_BATCH_SAMPLES = 6;

export interface TaskRow {
  /** Stable key in results.json. */
  key: string;
  name: string;
  /** How other rows name this one in their ratio column. */
  label: string;
  p50: number;
  p99: number;
  /** The p50 of each round (the row's p50 is their median). */
  p50Rounds: number[];
  /** The rows this one is read against, and the ratios of p50s. */
  vs?: { key: string; ratio: number }[];
}

export interface TaskFigures {
  rows: TaskRow[];
  memory: {
    pending: number;
    taskBytes: number;
    handTaskBytes: number;
    promiseBytes: number;
    /** One `new AbortController().signal`, held alone. */
    signalBytes: number;
  };
}

/** One contender of a comparison; `vs` names the keys (same group) its p50 is divided by. */
interface Case {
  key: string;
  name: string;
  /** How other rows name this one in their ratio column. */
  label?: string;
  fn: () => unknown;
  /** Operations per call of `fn`: the figures are per operation. */
  ops?: number;
  warmup?: number;
  vs?: string[];
}

/**
 * Measures a group of contenders in `ROUNDS` interleaved rounds, each round starting one case later, and
 * keeps the median of the rounds' p50 (and p99). Tasks allocate an AbortSignal each (about 1 KB on Node 20,
 * ending up in the old generation, which is collected every ~100 ms while they run), so the collector's
 * state moves a case's figures by up to 1.5× between rounds; interleaving spreads that over every
 * contender instead of favouring whichever ran first.
 */
async function compare(cases: Case[]): Promise<TaskRow[]> {
  const p50s = cases.map((): number[] => []);
  const p99s = cases.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < cases.length; j++) {
      const i = (j + round) % cases.length;
      const c = cases[i];
      const stats = await measure(
        c.fn,
        sampling(
          MIN_CPU_NS,
          (c.ops ?? 1) >= N ? MIN_BATCH_SAMPLES : MIN_SAMPLES,
          round === 0 ? (c.warmup ?? 50) : Math.min(c.warmup ?? 50, 3),
        ) as never,
      );
      p50s[i].push(stats.p50 / (c.ops ?? 1));
      p99s[i].push(stats.p99 / (c.ops ?? 1));
    }
  }
  const rows: TaskRow[] = cases.map((c, i) => ({
    key: c.key,
    name: c.name,
    label: c.label ?? c.key,
    p50: median(p50s[i]),
    p99: median(p99s[i]),
    p50Rounds: p50s[i],
  }));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  cases.forEach((c, i) => {
    if (c.vs === undefined) return;
    rows[i].vs = c.vs.map((key) => ({ key, ratio: rows[i].p50 / (byKey.get(key) as TaskRow).p50 }));
  });
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function expectLive(tasks: TaskSupervisor, n: number): void {
  if (tasks.runningCount !== n) throw new Error(`bench: ${tasks.runningCount} tasks live, expected ${n}`);
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ------------------------------------------------------------------ hand-written contenders

/**
 * The baseline task: what a careful hand-written version does — the function runs on a microtask with an
 * AbortSignal of its own, a throw becomes a rejection, a thenable result is followed without wrapping it
 * twice. No supervision: no registry of live tasks, no timeout, no retries, no logging.
 */
function handTask<R>(
  fn: (signal: AbortSignal) => R | PromiseLike<R>,
  controller = new AbortController(),
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    queueMicrotask(() => {
      try {
        const result = fn(controller.signal);
        if (isThenable(result)) result.then(resolve, reject);
        else resolve(result);
      } catch (error) {
        reject(error);
      }
    });
  });
}

function isThenable<R>(value: R | PromiseLike<R>): value is PromiseLike<R> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<R>).then === 'function'
  );
}

/** A p-limit-style limiter: at most `max` functions running, the rest queued in order. */
function pLimit(max: number): <R>(fn: () => Promise<R>) => Promise<R> {
  const queue: (() => void)[] = [];
  let head = 0;
  let active = 0;
  const next = (): void => {
    active--;
    if (head < queue.length) {
      const run = queue[head];
      queue[head++] = undefined as never;
      if (head === queue.length) queue.length = head = 0;
      run();
    }
  };
  return <R>(fn: () => Promise<R>): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const run = (): void => {
        active++;
        fn().then(
          (value) => {
            resolve(value);
            next();
          },
          (error: unknown) => {
            reject(error);
            next();
          },
        );
      };
      if (active < max) run();
      else queue.push(run);
    });
}

/** The floor of a pool: `max` workers pulling from one shared index, results written by index. */
async function workers<I, R>(items: readonly I[], max: number, fn: (item: I) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  const all: Promise<void>[] = [];
  for (let w = 0; w < max; w++) all.push(worker());
  await Promise.all(all);
  return results;
}

// ------------------------------------------------------------------ servers

class Cell {
  count = 0;
  process!: ServerProcess<Cell>;

  increment(by: number): number {
    this.count += by;
    return this.count;
  }

  add(by: number): void {
    this.count += by;
  }

  /** Defers its reply and answers it from a microtask: the server is free again meanwhile. */
  later(by: number): DeferredReply<number> {
    const reply = this.process.deferReply<number>();
    void RESOLVED.then(() => reply.reply((this.count += by)));
    return reply;
  }

  /** The same reply after the same microtask, from an async handler: the server waits meanwhile. */
  async laterAsync(by: number): Promise<number> {
    await RESOLVED;
    return (this.count += by);
  }
}

const RESOLVED = Promise.resolve();

function newCell(): ServerProcess<Cell> {
  return new ServerProcess<Cell>(
    {
      name: 'BenchCell',
      create: () => new Cell(),
      attach: (instance, process) => {
        instance.process = process;
      },
      calls: {
        increment: Cell.prototype.increment,
        later: Cell.prototype.later,
        laterAsync: Cell.prototype.laterAsync,
      },
      casts: { add: Cell.prototype.add },
    },
    { logger: silent },
  );
}

// ------------------------------------------------------------------ figures

async function taskRoundTrips(tasks: TaskSupervisor): Promise<TaskRow[]> {
  const syncFn = (): number => 42;
  const asyncFn = async (): Promise<number> => 42;
  const sync = await compare([
    {
      key: 'floorSync',
      label: 'floor',
      name: 'bare `await Promise.resolve().then(fn)` (floor)',
      fn: async () => {
        await Promise.resolve().then(syncFn);
      },
    },
    {
      key: 'handSync',
      label: 'hand task',
      name: 'hand task: queueMicrotask + AbortController (baseline)',
      fn: () => handTask(syncFn),
      vs: ['floorSync'],
    },
    {
      key: 'signal',
      name: 'one `new AbortController().signal`, nothing else (for reference)',
      fn: () => new AbortController().signal,
    },
    {
      key: 'taskSync',
      name: '`tasks.async(fn).await()`',
      fn: () => tasks.async(syncFn).await(),
      vs: ['floorSync', 'handSync'],
    },
    {
      key: 'taskSyncNoTimer',
      name: '`tasks.async(fn).await(Infinity)` (no timer)',
      fn: () => tasks.async(syncFn).await(Infinity),
      vs: ['floorSync', 'handSync'],
    },
  ]);
  const async = await compare([
    {
      key: 'floorAsync',
      label: 'floor',
      name: 'async fn: bare promise (floor)',
      fn: async () => {
        await Promise.resolve().then(asyncFn);
      },
    },
    {
      key: 'handAsync',
      label: 'hand task',
      name: 'async fn: hand task (baseline)',
      fn: () => handTask(asyncFn),
      vs: ['floorAsync'],
    },
    {
      key: 'taskAsync',
      name: 'async fn: `tasks.async(fn).await()`',
      fn: () => tasks.async(asyncFn).await(),
      vs: ['floorAsync', 'handAsync'],
    },
    {
      key: 'taskAsyncNoTimer',
      name: 'async fn: `.await(Infinity)` (no timer)',
      fn: () => tasks.async(asyncFn).await(Infinity),
      vs: ['floorAsync', 'handAsync'],
    },
  ]);
  return [...sync, ...async];
}

async function fireAndForget(tasks: TaskSupervisor): Promise<TaskRow[]> {
  let count = 0;
  let done: () => void = () => undefined;
  const fn = (): void => {
    if (++count === N) done();
  };
  const log = (error: unknown): void => silent.error('task failed', error);
  const settled = (): Promise<void> =>
    new Promise<void>((resolve) => {
      count = 0;
      done = resolve;
    });
  const n = N.toLocaleString('en');
  const rows = await compare([
    {
      key: 'bareStart',
      label: 'bare',
      name: `bare \`Promise.resolve().then(fn).catch(log)\` ×${n} (baseline, per task)`,
      fn: async () => {
        const all = settled();
        for (let i = 0; i < N; i++) void Promise.resolve().then(fn).catch(log);
        await all;
      },
      ops: N,
      warmup: 10,
    },
    {
      key: 'handStart',
      label: 'hand tasks',
      name: `hand tasks (queueMicrotask + AbortController) ×${n}, \`.catch(log)\` (per task)`,
      fn: async () => {
        const all = settled();
        for (let i = 0; i < N; i++) void handTask(fn).catch(log);
        await all;
      },
      ops: N,
      warmup: 10,
      vs: ['bareStart'],
    },
    {
      key: 'taskStart',
      name: `\`tasks.start(fn)\` ×${n}, all settled (per task)`,
      fn: async () => {
        const all = settled();
        for (let i = 0; i < N; i++) tasks.start(fn);
        await all;
      },
      ops: N,
      warmup: 10,
      vs: ['bareStart', 'handStart'],
    },
  ]);
  expectLive(tasks, 0);
  return rows;
}

async function streams(tasks: TaskSupervisor): Promise<TaskRow[]> {
  const items = Array.from({ length: N }, (_, i) => i);
  const fn = async (item: number): Promise<number> => {
    await undefined;
    return item;
  };
  const fnWithSignal = async (item: number, signal: AbortSignal): Promise<number> => {
    await undefined;
    return signal.aborted ? -1 : item;
  };
  const expected = (N * (N - 1)) / 2;
  const check = (sum: number): void => {
    if (sum !== expected) throw new Error(`bench: sum ${sum} !== ${expected}`);
  };
  const stream = (options: AsyncStreamOptions) => async (): Promise<void> => {
    let sum = 0;
    for await (const r of tasks.asyncStream(items, fn, options)) {
      if (r.status === 'ok') sum += r.value;
    }
    check(sum);
  };
  const n = N.toLocaleString('en');
  return compare([
    {
      key: 'workersPool',
      label: 'workers',
      name: `${CONCURRENCY} workers pulling from one shared index, ${n} items (floor, per item)`,
      fn: async () => {
        const results = await workers(items, CONCURRENCY, fn);
        let sum = 0;
        for (const r of results) sum += r;
        check(sum);
      },
      ops: N,
      warmup: 10,
    },
    {
      key: 'pLimitPool',
      label: 'p-limit',
      name: `p-limit-style pool of ${CONCURRENCY}, ${n} items (baseline, per item)`,
      fn: async () => {
        const limit = pLimit(CONCURRENCY);
        const results = await Promise.all(items.map((item) => limit(() => fn(item))));
        let sum = 0;
        for (const r of results) sum += r;
        check(sum);
      },
      ops: N,
      warmup: 10,
      vs: ['workersPool'],
    },
    {
      key: 'pLimitSignalPool',
      label: 'p-limit + signal',
      name: `p-limit-style pool of ${CONCURRENCY} + an AbortController per item (per item)`,
      fn: async () => {
        const limit = pLimit(CONCURRENCY);
        const results = await Promise.all(
          items.map((item) => {
            const controller = new AbortController();
            return limit(() => fnWithSignal(item, controller.signal));
          }),
        );
        let sum = 0;
        for (const r of results) sum += r;
        check(sum);
      },
      ops: N,
      warmup: 10,
      vs: ['workersPool', 'pLimitPool'],
    },
    {
      key: 'asyncStream',
      name: `\`asyncStream\`, maxConcurrency ${CONCURRENCY}, ${n} items (per item)`,
      fn: stream({ maxConcurrency: CONCURRENCY }),
      ops: N,
      warmup: 10,
      vs: ['workersPool', 'pLimitPool', 'pLimitSignalPool'],
    },
    {
      key: 'asyncStreamNoTimer',
      name: '`asyncStream`, `timeout: Infinity` (no timers), per item',
      fn: stream({ maxConcurrency: CONCURRENCY, timeout: Infinity }),
      ops: N,
      warmup: 10,
      vs: ['workersPool', 'pLimitPool', 'pLimitSignalPool'],
    },
  ]);
}

async function agents(): Promise<TaskRow[]> {
  const agent = await Agent.start<number>({ name: 'bench-agent', initial: () => 0, logger: silent });
  const cell = newCell();
  await cell.start();
  const box = { state: 0 };
  const inc = (n: number): number => n + 1;
  const read = (n: number): number => n;
  const ARGS = [1];
  // The floor: the same function applied to the same state on a plain object, awaited.
  const direct = {
    async update(fn: (n: number) => number): Promise<void> {
      box.state = fn(box.state);
    },
    async get(fn: (n: number) => number): Promise<number> {
      return fn(box.state);
    },
  };
  const calls = await compare([
    {
      key: 'directUpdate',
      label: 'direct',
      name: 'direct `await obj.update(fn)` (floor)',
      fn: async () => {
        await direct.update(inc);
      },
    },
    {
      key: 'directGet',
      label: 'direct',
      name: 'direct `await obj.get(fn)` (floor)',
      fn: async () => {
        await direct.get(read);
      },
    },
    {
      key: 'serverCall',
      label: 'GenServer call',
      name: 'GenServer `process.call(increment)` (baseline)',
      fn: () => cell.call('increment', ARGS),
      vs: ['directUpdate'],
    },
    {
      key: 'agentUpdate',
      name: '`agent.update(fn)`',
      fn: () => agent.update(inc),
      vs: ['directUpdate', 'serverCall'],
    },
    {
      key: 'agentGet',
      name: '`agent.get(fn)`',
      fn: () => agent.get(read),
      vs: ['directGet', 'serverCall'],
    },
  ]);

  const castBatch = (cast: () => void, flush: () => Promise<unknown>) => () => {
    for (let i = 0; i < CAST_BATCH; i++) cast();
    return flush();
  };
  const casts = await compare([
    {
      key: 'serverCast',
      label: 'GenServer cast',
      name: `GenServer cast ×${CAST_BATCH} + drain (baseline, per cast)`,
      fn: castBatch(
        () => cell.cast('add', ARGS),
        () => cell.call('increment', ARGS),
      ),
      ops: CAST_BATCH,
    },
    {
      key: 'agentCast',
      name: `\`agent.cast(fn)\` ×${CAST_BATCH} + drain (per cast)`,
      fn: castBatch(
        () => agent.cast(inc),
        () => agent.get(read),
      ),
      ops: CAST_BATCH,
      vs: ['serverCast'],
    },
  ]);

  // Deferred reply: the handler defers and answers from a microtask.
  const deferred = await compare([
    {
      key: 'plainCall',
      label: 'plain call',
      name: 'plain call (baseline)',
      fn: () => cell.call('increment', ARGS),
    },
    {
      key: 'asyncHandlerCall',
      label: 'async handler',
      name: 'call to an async handler that awaits one microtask',
      fn: () => cell.call('laterAsync', ARGS),
      vs: ['plainCall'],
    },
    {
      key: 'deferredCall',
      name: 'call answered by `deferReply()` from a microtask',
      fn: () => cell.call('later', ARGS),
      vs: ['plainCall', 'asyncHandlerCall'],
    },
  ]);

  await agent.stop();
  await cell.stop();
  return [...calls, ...casts, ...deferred];
}

/** Heap per idle running task: started, its function ran and waits on a promise that never settles (yet). */
async function memory(): Promise<TaskFigures['memory']> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const wait = (): Promise<void> => gate;
  const held = new Array<unknown>(PENDING).fill(undefined);
  // Bare promises: `Promise.resolve().then(wait)` — a promise following the gate.
  let before = heap();
  for (let i = 0; i < PENDING; i++) held[i] = Promise.resolve().then(wait);
  await turn();
  const promiseBytes = (heap() - before) / PENDING;
  held.fill(undefined);

  // The hand task's caller keeps its AbortController, to be able to cancel it.
  const controllers = new Array<AbortController | undefined>(PENDING).fill(undefined);
  before = heap();
  for (let i = 0; i < PENDING; i++) held[i] = handTask(wait, (controllers[i] = new AbortController()));
  await turn();
  const handTaskBytes = (heap() - before) / PENDING;
  held.fill(undefined);
  controllers.fill(undefined);

  // One AbortSignal alone, for reference: what each task (and hand task) makes.
  before = heap();
  for (let i = 0; i < PENDING; i++) held[i] = new AbortController().signal;
  const signalBytes = (heap() - before) / PENDING;
  held.fill(undefined);

  const tasks = new TaskSupervisor({ name: 'bench-memory', logger: silent });
  await tasks.start();
  before = heap();
  for (let i = 0; i < PENDING; i++) held[i] = tasks.start(wait);
  await turn();
  const taskBytes = (heap() - before) / PENDING;
  expectLive(tasks, PENDING);
  held.fill(undefined);
  release(); // every waiter (the tasks, and the earlier contenders' leftovers) settles in this turn
  await turn();
  expectLive(tasks, 0);
  await tasks.stop();
  return { pending: PENDING, taskBytes, handTaskBytes, promiseBytes, signalBytes };
}

export async function measureTasks(): Promise<TaskFigures> {
  const tasks = new TaskSupervisor({ name: 'bench-tasks', logger: silent });
  await tasks.start();
  const rows = [...(await taskRoundTrips(tasks)), ...(await fireAndForget(tasks)), ...(await streams(tasks))];
  await tasks.stop();
  rows.push(...(await agents()));
  const mem = await memory();
  return { rows, memory: mem };
}

function fmt(ns: number): string {
  return ns < 10 ? ns.toFixed(2) : ns < 1000 ? ns.toFixed(1) : ns.toFixed(0);
}

/** The section printed by run.ts. */
export function formatTasks(t: TaskFigures): string {
  const byKey = new Map(t.rows.map((r) => [r.key, r]));
  const vs = (r: TaskRow): string =>
    (r.vs ?? []).map((v) => `${v.ratio.toFixed(2)}× ${byKey.get(v.key)?.label ?? v.key}`).join(', ');
  const out = [
    '',
    '### Tasks and agents',
    '',
    '| case | p50 ns/op | p99 ns/op | × baselines (p50) |',
    '|---|---:|---:|---|',
  ];
  for (const r of t.rows) out.push(`| ${r.name} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${vs(r)} |`);
  const m = t.memory;
  const n = m.pending.toLocaleString('en');
  out.push(
    '',
    '| heap per idle pending (ran, awaiting) | bytes | × bare promise |',
    '|---|---:|---:|',
    `| bare \`Promise.resolve().then(wait)\` ×${n} | ${m.promiseBytes.toFixed(0)} | 1.00 |`,
    `| hand task (queueMicrotask + AbortController) ×${n} | ${m.handTaskBytes.toFixed(0)} | ${(m.handTaskBytes / m.promiseBytes).toFixed(2)} |`,
    `| \`tasks.start(wait)\` ×${n} | ${m.taskBytes.toFixed(0)} | ${(m.taskBytes / m.promiseBytes).toFixed(2)} |`,
    `| (one \`new AbortController().signal\`, held alone, ×${n}) | ${m.signalBytes.toFixed(0)} | |`,
  );
  return out.join('\n');
}
