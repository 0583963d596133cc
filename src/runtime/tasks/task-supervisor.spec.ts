import { jest } from '@jest/globals';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskTimeoutError } from '../errors/task-timeout.error.js';
import { ManualClock } from '../manual-clock.js';
import { turn } from '../spec-helpers.js';
import { RecordingLogger, deferred, failOnUnhandledRejections, never } from './spec-helpers.js';
import type { TaskOutcome } from './task.js';
import { TaskSupervisor } from './task-supervisor.js';

failOnUnhandledRejections();

describe('TaskSupervisor tasks', () => {
  let clock: ManualClock;
  let logger: RecordingLogger;
  let tasks: TaskSupervisor;
  beforeEach(() => {
    clock = new ManualClock();
    logger = new RecordingLogger();
    tasks = new TaskSupervisor({ name: 'accounts', clock, logger });
  });

  it('gives a function that declares a signal its own; one that declares no parameter the shared unused one', async () => {
    const seen: AbortSignal[] = [];
    const own = tasks.async((signal) => {
      seen.push(signal);
      return never<void>();
    });
    const bare = tasks.async(function (this: void, ...args: unknown[]) {
      seen.push(args[0] as AbortSignal);
      return never<void>();
    });
    await turn();
    const unused = seen[1];
    expect(seen[0]).not.toBe(unused);
    const again = tasks.async((...args: unknown[]) => {
      seen.push(args[0] as AbortSignal);
    });
    await again.await();
    expect(seen[2]).toBe(unused); // one unused signal per task supervisor, shared by its tasks
    const other = new TaskSupervisor({ name: 'other' });
    await other.async((...args: unknown[]) => void seen.push(args[0] as AbortSignal)).await();
    expect(seen[3]).not.toBe(unused); // never shared between supervisors (or apps)
    await other.stop();
    own.shutdown();
    bare.shutdown();
    expect(seen[0].aborted).toBe(true);
    expect(unused.aborted).toBe(false);
    await expect(own.await()).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(bare.await()).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('account setup: a transient task retried under backoff runs at t=0, 1000, 3000; one error line per failure', async () => {
    const t0 = clock.now();
    const runs: string[] = [];
    const backoff = { minMs: 1000, maxMs: 8000 };
    const crm = tasks.async(
      async (_signal, attempt) => {
        runs.push(`crm #${attempt} at ${clock.now() - t0}`);
        await Promise.resolve();
        if (attempt < 3) throw new Error(`CRM unavailable (${attempt})`);
        return 'crm-42';
      },
      { name: 'crm-sync', restart: 'transient', backoff },
    );
    const fulfillment = tasks.async(
      async (_signal, attempt) => {
        runs.push(`fulfillment #${attempt} at ${clock.now() - t0}`);
        return 'order-7';
      },
      { name: 'fulfillment', restart: 'transient', backoff },
    );
    await clock.settle();
    expect(crm.status).toBe('retrying');
    expect(fulfillment.status).toBe('succeeded');
    await clock.advanceByAsync(999);
    expect(runs).toHaveLength(2);
    await clock.advanceByAsync(1);
    expect(crm.status).toBe('retrying');
    await clock.advanceByAsync(2000);
    expect(runs).toEqual(['crm #1 at 0', 'fulfillment #1 at 0', 'crm #2 at 1000', 'crm #3 at 3000']);
    await expect(crm.await()).resolves.toBe('crm-42');
    await expect(fulfillment.await()).resolves.toBe('order-7');
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        message:
          'accounts: task crm-sync failed (attempt 1): Error: CRM unavailable (1); restarting in 1000 ms ' +
          '(restart 1 of 3 within 5000 ms)',
        error: new Error('CRM unavailable (1)'),
      },
      {
        level: 'error',
        message:
          'accounts: task crm-sync failed (attempt 2): Error: CRM unavailable (2); restarting in 2000 ms ' +
          '(restart 2 of 3 within 5000 ms)',
        error: new Error('CRM unavailable (2)'),
      },
    ]);
    expect(tasks.info()).toMatchObject({ started: 2, succeeded: 2, failed: 0, retries: 2, cancelled: 0 });
  });

  it('logs a temporary failure once and does not retry it; await rejects with the thrown value itself', async () => {
    const error = new Error('disk full');
    const fn = jest.fn(() => Promise.reject(error));
    const task = tasks.async(fn, { name: 'export' });
    await clock.advanceByAsync(60_000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(task.status).toBe('failed');
    await expect(task.await()).rejects.toBe(error);
    await expect(task.yield()).rejects.toBe(error);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: 'accounts: task export failed: Error: disk full; it is temporary, so it is not restarted',
        error,
      },
    ]);
    expect(tasks.info()).toMatchObject({ failed: 1, retries: 0, tasks: [] });
  });

  it('treats a synchronous throw as a failure', async () => {
    const task = tasks.async(() => {
      throw new TypeError('bad input');
    });
    await turn();
    expect(task.status).toBe('failed');
    await expect(task.await()).rejects.toThrow('bad input');
    expect(logger.at('error')).toEqual([
      'accounts: task task-1 failed: TypeError: bad input; it is temporary, so it is not restarted',
    ]);
  });

  it('gives a transient task up after maxRestarts, in the line of its last failure', async () => {
    const errors: Error[] = [];
    const fn = jest.fn((_signal: AbortSignal, attempt: number) => {
      errors.push(new Error(`failure ${attempt}`));
      throw errors[errors.length - 1];
    });
    const task = tasks.async(fn, { name: 'mailer', restart: 'transient', maxRestarts: 2 });
    await clock.settle();
    expect(fn.mock.calls.map((call) => call[1])).toEqual([1, 2, 3]);
    expect(task.status).toBe('failed');
    await expect(task.await()).rejects.toBe(errors[2]);
    expect(logger.at('error')).toEqual([
      'accounts: task mailer failed (attempt 1): Error: failure 1; restarting now (restart 1 of 2 within 5000 ms)',
      'accounts: task mailer failed (attempt 2): Error: failure 2; restarting now (restart 2 of 2 within 5000 ms)',
      'accounts: task mailer failed (attempt 3): Error: failure 3; giving up after 3 failures within 5000 ms',
    ]);
    expect(tasks.info()).toMatchObject({ failed: 1, retries: 2 });
  });

  it('counts failures within withinMs only: failures further apart keep being retried', async () => {
    const fn = jest.fn((_signal: AbortSignal, attempt: number) => {
      if (attempt < 5) throw new Error('flaky');
      return 'ok';
    });
    const task = tasks.async(fn, {
      restart: 'transient',
      maxRestarts: 1,
      withinMs: 1000,
      backoff: { minMs: 1000, maxMs: 1000 },
    });
    await clock.advanceByAsync(10_000);
    expect(task.status).toBe('succeeded');
    expect(fn).toHaveBeenCalledTimes(5);
  });

  it('await resolves with the value; several awaits and yields get it', async () => {
    const gate = deferred<number>();
    const task = tasks.async(() => gate.promise);
    const results = [task.await(), task.await(Infinity), task.yield()];
    gate.resolve(42);
    await expect(Promise.all(results)).resolves.toEqual([42, 42, 42]);
    await expect(task.await()).resolves.toBe(42);
  });

  it('await times out with TaskTimeoutError and cancels the task: its signal aborts with reason timeout', async () => {
    let signal: AbortSignal | undefined;
    const task = tasks.async(
      (s) => {
        signal = s;
        return never<string>();
      },
      { name: 'report' },
    );
    const awaiting = task.await(1000);
    const yielding = task.yield(Infinity);
    const caught = expect(awaiting).rejects.toMatchObject({
      code: 'TASK_TIMEOUT',
      task: 'report',
      supervisor: 'accounts',
      timeoutMs: 1000,
    });
    await turn();
    clock.advanceBy(999);
    expect(task.status).toBe('running');
    clock.advanceBy(1);
    await caught;
    await expect(awaiting).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(task.status).toBe('cancelled');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(TaskCancelledError);
    expect(signal?.reason).toMatchObject({ code: 'TASK_CANCELLED', reason: 'timeout', task: 'report' });
    await expect(yielding).rejects.toBe(signal?.reason);
    await expect(task.await()).rejects.toBe(signal?.reason);
    expect(logger.lines).toEqual([]);
    expect(tasks.info()).toMatchObject({ cancelled: 1, tasks: [] });
  });

  it('yield resolves undefined on timeout and leaves the task running; a later yield gets the value', async () => {
    const gate = deferred<string>();
    const task = tasks.async(() => gate.promise);
    const first = task.yield(500);
    await turn();
    clock.advanceBy(500);
    await expect(first).resolves.toBeUndefined();
    expect(task.status).toBe('running');
    const second = task.yield(500);
    gate.resolve('done');
    await expect(second).resolves.toBe('done');
    await expect(task.await(0)).resolves.toBe('done');
  });

  it('shutdown() aborts the signal with reason cancelled, rejects awaiters, and ignores the late result', async () => {
    const gate = deferred<string>();
    let signal: AbortSignal | undefined;
    const task = tasks.async(
      (s) => {
        signal = s;
        return gate.promise;
      },
      { name: 'upload' },
    );
    const awaiting = task.await(Infinity);
    await turn();
    task.shutdown();
    expect(signal?.reason).toMatchObject({ reason: 'cancelled', task: 'upload', supervisor: 'accounts' });
    await expect(awaiting).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(awaiting).rejects.toThrow('Task upload of accounts was cancelled (cancelled)');
    gate.reject(new Error('aborted by signal'));
    await turn();
    expect(task.status).toBe('cancelled');
    task.shutdown();
    expect(logger.lines).toEqual([]);
    expect(tasks.info()).toMatchObject({ cancelled: 1, failed: 0 });
  });

  it('shutdown() is a no-op once the task is final, and before its first run the function never runs', async () => {
    const done = tasks.async(() => 1);
    await turn();
    done.shutdown();
    expect(done.status).toBe('succeeded');
    const fn = jest.fn(() => 2);
    const early = tasks.async(fn);
    early.shutdown();
    await turn();
    expect(fn).not.toHaveBeenCalled();
    await expect(early.await()).rejects.toMatchObject({ reason: 'cancelled' });
  });

  it('starts the function on a microtask, after the caller has the handle', async () => {
    const order: string[] = [];
    const task = tasks.start(() => void order.push('run'));
    order.push(`handle ${task.id} ${task.name} ${task.status}`);
    await Promise.resolve();
    expect(order).toEqual(['handle 1 task-1 running', 'run']);
    expect(tasks.start(() => undefined, { name: 'named' })).toMatchObject({ id: 2, name: 'named' });
  });

  it('never leaves an unhandled rejection: failing tasks nobody awaits, late rejections after cancel', async () => {
    tasks.async(() => Promise.reject(new Error('nobody awaits')));
    tasks.start(() => {
      throw new Error('fire and forget');
    });
    const late = deferred();
    const cancelled = tasks.async(() => late.promise);
    const timedOut = tasks.async(() => never());
    const awaited = timedOut.await(10).catch((error: unknown) => error);
    await turn();
    cancelled.shutdown();
    clock.advanceBy(10);
    expect(await awaited).toBeInstanceOf(TaskTimeoutError);
    late.reject(new Error('after cancel'));
    await turn();
    expect(logger.at('error')).toHaveLength(2);
  });

  it('cancelling a retrying task cancels its retry timer', async () => {
    const fn = jest.fn(() => {
      throw new Error('down');
    });
    const task = tasks.start(fn, { restart: 'transient', backoff: { minMs: 1000, maxMs: 1000 } });
    await turn();
    expect(task.status).toBe('retrying');
    expect(clock.pendingTimers).toBe(1);
    task.shutdown();
    expect(clock.pendingTimers).toBe(0);
    await clock.advanceByAsync(5000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(task.status).toBe('cancelled');
  });

  it('run() calls its exit callback once with the outcome', async () => {
    const outcomes: TaskOutcome[] = [];
    const error = new Error('nope');
    tasks.run(
      () => 'fine',
      undefined,
      (o) => outcomes.push(o),
    );
    tasks.run(
      () => Promise.reject(error),
      { name: 'failing' },
      (o) => outcomes.push(o),
    );
    const cancelled = tasks.run(never, undefined, (o) => outcomes.push(o));
    await turn();
    cancelled.shutdown();
    cancelled.shutdown();
    await turn();
    expect(outcomes).toEqual([{ ok: true }, { ok: false, error }, { cancelled: true }]);
  });

  it('lists live tasks with their attempt and start time', async () => {
    const t0 = clock.now();
    tasks.start(never, { name: 'long' });
    tasks.start(
      () => {
        throw new Error('x');
      },
      { name: 'flaky', restart: 'transient', backoff: { minMs: 100, maxMs: 100 } },
    );
    tasks.start(() => 'quick');
    await turn();
    expect(tasks.info()).toEqual({
      type: 'task-supervisor',
      name: 'accounts',
      status: 'idle',
      restarts: 0,
      running: 1,
      started: 3,
      succeeded: 1,
      failed: 0,
      retries: 1,
      cancelled: 0,
      tasks: [
        { id: 1, name: 'long', status: 'running', attempt: 1, startedAt: t0 },
        { id: 2, name: 'flaky', status: 'retrying', attempt: 1, startedAt: t0 },
      ],
    });
    expect(tasks.tasks()).toHaveLength(2);
    expect(tasks.runningCount).toBe(2);
    await clock.advanceByAsync(100);
    expect(tasks.tasks()[1]).toMatchObject({ status: 'retrying', attempt: 2 });
  });

  it('lets settle() return while a task waits on something that never settles', async () => {
    tasks.start(never);
    await clock.settle();
    await clock.advanceByAsync(1000);
    expect(tasks.runningCount).toBe(1);
  });

  it('passes the supervisor random to backoff jitter', async () => {
    const jittery = new TaskSupervisor({ name: 'j', clock, logger, random: () => 0.5 });
    jittery.start(
      () => {
        throw new Error('x');
      },
      { restart: 'transient', backoff: { minMs: 1000, maxMs: 1000, jitter: 0.2 } },
    );
    await turn();
    expect(logger.at('error')[0]).toContain('restarting in 1100 ms');
  });
});

describe('TaskSupervisor input checks', () => {
  const clock = new ManualClock();
  const tasks = new TaskSupervisor({ name: 'sup', clock, logger: new RecordingLogger() });

  it.each([
    [{ restart: 'permanent' }, "sup: task job: restart must be 'temporary' or 'transient', got 'permanent'"],
    [{ maxRestarts: -1 }, 'sup: task job: maxRestarts must be an integer >= 0, got -1'],
    [{ maxRestarts: 1.5 }, 'sup: task job: maxRestarts must be an integer >= 0, got 1.5'],
    [{ withinMs: 0 }, 'sup: task job: withinMs must be a number of ms > 0, got 0'],
    [{ backoff: { minMs: 0, maxMs: 10 } }, 'sup: task job: backoff.minMs must be a number of ms > 0, got 0'],
    [
      { backoff: { minMs: 10, maxMs: 1 } },
      'sup: task job: backoff.maxMs must be a number of ms >= minMs (10), got 1',
    ],
  ])('rejects task options %j', (options, message) => {
    const bad = { name: 'job', ...options } as never;
    expect(() => tasks.start(() => undefined, bad)).toThrow(new RangeError(message));
    expect(() => tasks.async(() => undefined, bad)).toThrow(new RangeError(message));
  });

  it.each([-1, NaN, -Infinity])('rejects an await or yield timeout of %p', async (timeout) => {
    const task = tasks.async(() => 1, { name: 'job' });
    expect(() => task.await(timeout)).toThrow(
      new RangeError(
        `sup: task job: the await timeout must be a number of ms >= 0 or Infinity, got ${timeout}`,
      ),
    );
    expect(() => task.yield(timeout)).toThrow(RangeError);
    await turn();
  });

  it('rejects a bad shutdownTimeout and a function that is not one', () => {
    expect(() => new TaskSupervisor({ name: 'x', shutdownTimeout: -5 })).toThrow(
      new RangeError('x: shutdownTimeout must be a number of ms >= 0 or Infinity, got -5'),
    );
    expect(() => tasks.start('nope' as never)).toThrow(TypeError);
  });
});
