import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskSupervisorStoppedError } from '../errors/task-supervisor-stopped.error.js';
import { TaskTimeoutError } from '../errors/task-timeout.error.js';
import { ManualClock } from '../manual-clock.js';
import { turn, until } from '../spec-helpers.js';
import type { StreamResult } from './async-stream.js';
import { RecordingLogger, deferred, failOnUnhandledRejections, never } from './spec-helpers.js';
import { TaskSupervisor } from './task-supervisor.js';

failOnUnhandledRejections();

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const results: T[] = [];
  for await (const result of stream) results.push(result);
  return results;
}

describe('TaskSupervisor.asyncStream', () => {
  let clock: ManualClock;
  let logger: RecordingLogger;
  let tasks: TaskSupervisor;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimer(resolve, ms));
  beforeEach(() => {
    clock = new ManualClock();
    logger = new RecordingLogger();
    tasks = new TaskSupervisor({ name: 'importer', clock, logger });
  });

  it('never runs more than maxConcurrency items at once, and yields every result in input order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const items = Array.from({ length: 20 }, (_, i) => i);
    const stream = tasks.asyncStream(
      items,
      async (n) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(((n * 7) % 5) * 100 + 100);
        inFlight--;
        return n * 10;
      },
      { maxConcurrency: 3, timeout: Infinity },
    );
    const collecting = collect(stream);
    await clock.advanceByAsync(10_000);
    const results = await collecting;
    expect(maxInFlight).toBe(3);
    expect(results.map((r) => r.index)).toEqual(items);
    expect(results.every((r) => r.status === 'ok' && r.value === r.item * 10)).toBe(true);
    expect(tasks.info()).toMatchObject({ started: 20, succeeded: 20, tasks: [] });
  });

  it.each([
    [true, [0, 1, 2]],
    [false, [1, 2, 0]],
  ])('ordered: %p yields indexes %j', async (ordered, indexes) => {
    const durations = [300, 100, 200];
    const stream = tasks.asyncStream(durations, (ms) => sleep(ms).then(() => ms), {
      ordered,
      maxConcurrency: 3,
    });
    const collecting = collect(stream);
    await clock.advanceByAsync(300);
    expect((await collecting).map((r) => r.index)).toEqual(indexes);
  });

  it('pulls the source lazily and at most maxConcurrency ahead of a slow consumer', async () => {
    let pulled = 0;
    function* source(): Generator<number> {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield i;
      }
    }
    const stream = tasks.asyncStream(source(), (n) => n * 2, { maxConcurrency: 2, ordered: false });
    await turn();
    expect(pulled).toBe(0);
    const first = await stream.next();
    expect(first).toEqual({ done: false, value: { status: 'ok', value: 0, item: 0, index: 0 } });
    for (let i = 0; i < 10; i++) await turn();
    expect(pulled).toBe(3);
    expect(tasks.info().started).toBe(3);
    await stream.next();
    for (let i = 0; i < 10; i++) await turn();
    expect(pulled).toBe(4);
    const rest = await collect(stream);
    expect(rest.map((r) => r.index)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('onTimeout throw: next() rejects with TaskTimeoutError and every item in flight is aborted', async () => {
    const signals = new Map<string, AbortSignal>();
    let closed = false;
    function* source(): Generator<string> {
      try {
        yield* ['fast', 'stuck', 'waiting', 'never pulled', 'nor this'];
      } finally {
        closed = true;
      }
    }
    const stream = tasks.asyncStream(
      source(),
      (item, signal) => {
        signals.set(item, signal);
        return item === 'fast' ? sleep(100).then(() => item) : never<string>();
      },
      { maxConcurrency: 3, timeout: 1000, name: 'rows' },
    );
    const first = stream.next();
    await clock.advanceByAsync(100);
    expect((await first).value).toMatchObject({ status: 'ok', value: 'fast' });
    const second = stream.next();
    const caught = second.catch((error: unknown) => error);
    await clock.advanceByAsync(900);
    const error = await caught;
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(error).toMatchObject({
      code: 'TASK_TIMEOUT',
      task: 'rows[1]',
      supervisor: 'importer',
      timeoutMs: 1000,
    });
    expect((signals.get('stuck')?.reason as TaskCancelledError).reason).toBe('timeout');
    expect((signals.get('waiting')?.reason as TaskCancelledError).reason).toBe('cancelled');
    expect(signals.get('never pulled')?.aborted).toBe(true);
    expect(closed).toBe(true);
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    expect(tasks.runningCount).toBe(0);
  });

  it("onTimeout kill_task: the item's task is aborted, a timeout result is yielded and the stream goes on", async () => {
    const signals: AbortSignal[] = [];
    const stream = tasks.asyncStream(
      ['a', 'stuck', 'c'],
      (item, signal) => {
        signals.push(signal);
        return item === 'stuck' ? never<string>() : sleep(10).then(() => item.toUpperCase());
      },
      { timeout: 500, onTimeout: 'kill_task', maxConcurrency: 2 },
    );
    const collecting = collect(stream);
    await clock.advanceByAsync(1000);
    expect(await collecting).toEqual([
      { status: 'ok', value: 'A', item: 'a', index: 0 },
      { status: 'timeout', item: 'stuck', index: 1 },
      { status: 'ok', value: 'C', item: 'c', index: 2 },
    ]);
    expect((signals[1].reason as TaskCancelledError).reason).toBe('timeout');
    expect(tasks.info()).toMatchObject({ succeeded: 2, cancelled: 1 });
    expect(logger.lines).toEqual([]);
  });

  it('break aborts the items in flight and closes the source (sync and async sources)', async () => {
    for (const kind of ['sync', 'async']) {
      let closed = false;
      const signals: AbortSignal[] = [];
      const items = ['first', 'second', 'third', 'fourth'];
      async function* asyncSource(): AsyncGenerator<string> {
        try {
          yield* items;
        } finally {
          closed = true;
        }
      }
      function* syncSource(): Generator<string> {
        try {
          yield* items;
        } finally {
          closed = true;
        }
      }
      const allStarted = deferred();
      const stream = tasks.asyncStream(
        kind === 'sync' ? syncSource() : asyncSource(),
        (item, signal) => {
          if (signals.push(signal) === 3) allStarted.resolve();
          return item === 'first' ? allStarted.promise.then(() => item) : never<string>();
        },
        { maxConcurrency: 3 },
      );
      const seen: StreamResult<string, string>[] = [];
      for await (const result of stream) {
        seen.push(result);
        break;
      }
      await until(() => closed);
      expect(seen).toEqual([{ status: 'ok', value: 'first', item: 'first', index: 0 }]);
      expect(signals.slice(1).map((s) => (s.reason as TaskCancelledError).reason)).toEqual([
        'cancelled',
        'cancelled',
      ]);
      expect(tasks.runningCount).toBe(0);
      await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    }
  });

  it("yields status 'error' for a failed item (logged once) and goes on", async () => {
    const boom = new Error('bad row');
    const stream = tasks.asyncStream(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw boom;
        return n;
      },
      { name: 'rows' },
    );
    expect(await collect(stream)).toEqual([
      { status: 'ok', value: 1, item: 1, index: 0 },
      { status: 'error', error: boom, item: 2, index: 1 },
      { status: 'ok', value: 3, item: 3, index: 2 },
    ]);
    expect(logger.at('error')).toEqual([
      'importer: task rows[1] failed: Error: bad row; it is temporary, so it is not restarted',
    ]);
  });

  it('ends with the error of a source that throws, aborting the items in flight', async () => {
    const signals: AbortSignal[] = [];
    function* source(): Generator<number> {
      yield 1;
      throw new Error('source broke');
    }
    const stream = tasks.asyncStream(
      source(),
      (_n, signal) => {
        signals.push(signal);
        return never();
      },
      { maxConcurrency: 4 },
    );
    await expect(stream.next()).rejects.toThrow('source broke');
    expect(signals).toEqual([]);
    expect(tasks.info()).toMatchObject({ started: 1, cancelled: 1, tasks: [] });
    await expect(stream.next()).resolves.toMatchObject({ done: true });
  });

  it('runs items as tasks of the supervisor: listed in info() and aborted when it stops', async () => {
    const stream = tasks.asyncStream([1, 2, 3], () => never<number>(), {
      maxConcurrency: 2,
      name: 'job',
      timeout: Infinity,
    });
    const first = stream.next();
    await turn();
    expect(tasks.info().tasks.map((t) => t.name)).toEqual(['job[0]', 'job[1]']);
    const stopping = tasks.stop();
    await clock.advanceByAsync(5000);
    await stopping;
    const result = (await first).value as StreamResult<number, number>;
    expect(result).toMatchObject({ status: 'error', index: 0 });
    expect(result.status === 'error' && result.error).toMatchObject({
      code: 'TASK_CANCELLED',
      reason: 'shutdown',
    });
    await expect(stream.next()).resolves.toMatchObject({ value: { status: 'error', index: 1 } });
    await expect(stream.next()).rejects.toBeInstanceOf(TaskSupervisorStoppedError);
    await expect(stream.next()).resolves.toMatchObject({ done: true });
  });

  it('handles an empty source and an async iterable', async () => {
    expect(await collect(tasks.asyncStream([], (n: number) => n))).toEqual([]);
    async function* numbers(): AsyncGenerator<number> {
      yield 1;
      await Promise.resolve();
      yield 2;
    }
    const results = await collect(tasks.asyncStream(numbers(), (n) => n + 1, { ordered: false }));
    expect(results.map((r) => r.status === 'ok' && r.value).sort()).toEqual([2, 3]);
  });

  it.each([
    [{ maxConcurrency: 0 }, 'importer: asyncStream: maxConcurrency must be an integer >= 1, got 0'],
    [{ maxConcurrency: 1.5 }, 'importer: asyncStream: maxConcurrency must be an integer >= 1, got 1.5'],
    [{ timeout: -1 }, 'importer: asyncStream: timeout must be a number of ms >= 0 or Infinity, got -1'],
    [
      { onTimeout: 'ignore' },
      "importer: asyncStream: onTimeout must be 'throw' or 'kill_task', got 'ignore'",
    ],
  ])('rejects %j synchronously', (options, message) => {
    let pulled = false;
    const source = {
      *[Symbol.iterator]() {
        pulled = true;
        yield 1;
      },
    };
    expect(() => tasks.asyncStream(source, (n) => n, options as never)).toThrow(new RangeError(message));
    expect(pulled).toBe(false);
  });

  it('rejects something that is not iterable', () => {
    expect(() => tasks.asyncStream(42 as never, (n) => n)).toThrow(
      new TypeError('importer: asyncStream: items must be an iterable or an async iterable'),
    );
  });
});
