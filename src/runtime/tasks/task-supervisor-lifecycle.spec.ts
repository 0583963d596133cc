import { jest } from '@jest/globals';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskSupervisorStoppedError } from '../errors/task-supervisor-stopped.error.js';
import type { LifecycleEvent } from '../lifecycle-event.js';
import { ManualClock } from '../manual-clock.js';
import { ServerProcess } from '../server-process.js';
import { silent, turn } from '../spec-helpers.js';
import { Supervisor } from '../supervisor.js';
import { RecordingLogger, failOnUnhandledRejections, never } from './spec-helpers.js';
import { TaskSupervisor } from './task-supervisor.js';

failOnUnhandledRejections();

describe('TaskSupervisor lifecycle', () => {
  let clock: ManualClock;
  let logger: RecordingLogger;
  let tasks: TaskSupervisor;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimer(resolve, ms));
  beforeEach(async () => {
    clock = new ManualClock();
    logger = new RecordingLogger();
    tasks = new TaskSupervisor({ name: 'jobs', clock, logger });
    await tasks.start();
  });

  it('stop() waits for running tasks, aborts the late ones, cancels pending retries, and logs one summary', async () => {
    let slowSignal: AbortSignal | undefined;
    const quick = tasks.async(() => sleep(1000).then(() => 'done'), { name: 'quick' });
    const slow = tasks.async(
      (signal) => {
        slowSignal = signal;
        return never();
      },
      { name: 'slow-report' },
    );
    const crm = jest.fn(() => Promise.reject(new Error('CRM down')));
    tasks.start(crm, { name: 'crm-sync', restart: 'transient', backoff: { minMs: 2000, maxMs: 2000 } });
    const slowResult = slow.await(Infinity).catch((error: unknown) => error);
    await turn();
    logger.lines.length = 0;

    const stopping = tasks.stop();
    expect(tasks.status).toBe('stopping');
    expect(tasks.info().tasks.map((t) => t.name)).toEqual(['quick', 'slow-report']);
    await clock.advanceByAsync(4999);
    expect(quick.status).toBe('succeeded');
    expect(slow.status).toBe('running');
    await clock.advanceByAsync(1);
    await stopping;

    expect(tasks.status).toBe('stopped');
    expect(crm).toHaveBeenCalledTimes(1);
    expect(slowSignal?.reason).toMatchObject({ reason: 'shutdown', task: 'slow-report' });
    const error = await slowResult;
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(error).toMatchObject({ reason: 'shutdown' });
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message:
          'jobs: tasks stopped: 1 finished, 1 aborted after 5000 ms (slow-report), 1 retry cancelled (crm-sync)',
      },
    ]);
    expect(tasks.info()).toMatchObject({ succeeded: 1, cancelled: 2, failed: 0, tasks: [] });
  });

  it('stop() with a timeout of its own; a summary at log level when nothing was aborted', async () => {
    tasks.start(() => sleep(100), { name: 'a' });
    tasks.start(() => sleep(200), { name: 'b' });
    await turn();
    const stopping = tasks.stop('shutdown', { timeout: 300 });
    await clock.advanceByAsync(200);
    await stopping;
    expect(logger.lines).toEqual([{ level: 'log', message: 'jobs: tasks stopped: 2 finished' }]);
  });

  it('refuses new tasks while stopping and once stopped', async () => {
    tasks.start(() => sleep(100));
    await turn();
    const stopping = tasks.stop();
    for (const attempt of [
      () => tasks.start(() => 1),
      () => tasks.async(() => 1),
      () => tasks.asyncStream([1], (n) => n),
    ]) {
      expect(attempt).toThrow(TaskSupervisorStoppedError);
      expect(attempt).toThrow('jobs is stopping and refuses new tasks');
    }
    await clock.advanceByAsync(100);
    await stopping;
    expect(() => tasks.start(() => 1)).toThrow(
      expect.objectContaining({ code: 'TASKS_STOPPED', supervisor: 'jobs', status: 'stopped' }),
    );
  });

  it('does not retry a transient task that fails while the supervisor stops', async () => {
    const fn = jest.fn(() => sleep(100).then(() => Promise.reject(new Error('lost connection'))));
    const task = tasks.async(fn, { name: 'sync', restart: 'transient' });
    await turn();
    const stopping = tasks.stop();
    await clock.advanceByAsync(100);
    await stopping;
    expect(fn).toHaveBeenCalledTimes(1);
    expect(task.status).toBe('failed');
    await expect(task.await()).rejects.toThrow('lost connection');
    expect(logger.at('error')).toEqual([
      'jobs: task sync failed (attempt 1): Error: lost connection; not restarted: jobs is stopping',
    ]);
    expect(logger.at('log')).toEqual(['jobs: tasks stopped: 1 finished']);
  });

  it('stop twice is harmless: one summary, one exit, one stopped event', async () => {
    const events: LifecycleEvent[] = [];
    const supervised = new TaskSupervisor({ name: 'twice', clock, logger, events: (e) => events.push(e) });
    const exits = jest.fn(() => false);
    supervised.setExitListener(exits);
    await supervised.start();
    supervised.start(() => sleep(50));
    await turn();
    const first = supervised.stop();
    const second = supervised.stop();
    expect(second).toBe(first);
    await clock.advanceByAsync(50);
    await Promise.all([first, second, supervised.stop()]);
    expect(exits).toHaveBeenCalledTimes(1);
    expect(exits).toHaveBeenCalledWith(supervised, 'shutdown');
    expect(events.map((e) => e.type)).toEqual(['started', 'stopped']);
    expect(logger.lines).toEqual([{ level: 'log', message: 'twice: tasks stopped: 1 finished' }]);
  });

  it('stops at once and logs nothing when no task runs', async () => {
    await tasks.stop();
    expect(tasks.status).toBe('stopped');
    expect(logger.lines).toEqual([]);
  });

  it('restart() after a stop accepts tasks again', async () => {
    await tasks.stop();
    await expect(tasks.restart()).resolves.toBe(true);
    expect(tasks.status).toBe('running');
    await expect(tasks.async(() => 'again').await()).resolves.toBe('again');
    expect(tasks.info().restarts).toBe(1);
  });

  it('kill() aborts every task now', async () => {
    const signals: AbortSignal[] = [];
    for (const name of ['a', 'b']) {
      tasks.start(
        (signal) => {
          signals.push(signal);
          return never();
        },
        { name },
      );
    }
    await turn();
    const stopping = tasks.stop();
    tasks.kill();
    await stopping;
    expect(tasks.status).toBe('stopped');
    expect(signals.map((s) => (s.reason as TaskCancelledError).reason)).toEqual(['shutdown', 'shutdown']);
    expect(logger.at('warn')).toEqual(['jobs killed: 2 task(s) aborted (a, b)']);
    expect(logger.at('log')).toEqual([]);
  });

  it('a shutdownTimeout of 0 aborts running tasks at once', async () => {
    const quickStop = new TaskSupervisor({ name: 'q', clock, logger, shutdownTimeout: 0 });
    const task = quickStop.async(never, { name: 'n' });
    await turn();
    await quickStop.stop();
    expect(task.status).toBe('cancelled');
    expect(logger.at('warn')).toEqual(['q: tasks stopped: 0 finished, 1 aborted after 0 ms (n)']);
  });
});

describe('TaskSupervisor under a Supervisor', () => {
  it('shows up in the tree snapshot and is stopped by it', async () => {
    const clock = new ManualClock();
    const root = new Supervisor({ name: 'root', clock, logger: silent });
    const server = new ServerProcess({ name: 'counter', create: () => ({}) }, { clock, logger: silent });
    const tasks = new TaskSupervisor({ name: 'background', clock, logger: silent, shutdownTimeout: 1000 });
    root.add(server);
    root.add(tasks);
    await root.start();
    expect(tasks.status).toBe('running');
    const long = tasks.async(never, { name: 'long' });
    await turn();
    expect(root.info().children[1]).toEqual({
      type: 'task-supervisor',
      name: 'background',
      status: 'running',
      restarts: 0,
      running: 1,
      started: 1,
      succeeded: 0,
      failed: 0,
      retries: 0,
      cancelled: 0,
      tasks: [{ id: 1, name: 'long', status: 'running', attempt: 1, startedAt: clock.now() }],
    });
    const stopping = root.stop();
    await clock.advanceByAsync(1000);
    await stopping;
    expect(tasks.status).toBe('stopped');
    expect(long.status).toBe('cancelled');
    expect(server.status).toBe('stopped');
  });

  it('is restarted by its supervisor after it stopped on its own (permanent)', async () => {
    const clock = new ManualClock();
    const root = new Supervisor({ name: 'root', clock, logger: silent });
    const tasks = new TaskSupervisor({ name: 'background', clock, logger: silent });
    root.add(tasks);
    await root.start();
    await tasks.stop();
    await turn();
    expect(tasks.status).toBe('running');
    expect(tasks.info().restarts).toBe(1);
  });
});
