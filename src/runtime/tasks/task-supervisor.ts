import { availableParallelism } from 'node:os';
import type { Clock } from '../clock.js';
import { TaskSupervisorStoppedError } from '../errors/task-supervisor-stopped.error.js';
import type { ExitReason } from '../exit-reason.js';
import { type LifecycleEventType, type LifecycleListener, emitSupervisorEvent } from '../lifecycle-event.js';
import { consoleLogger, type RuntimeLogger } from '../logger.js';
import type { RestartType } from '../server-spec.js';
import type { ExitListener, SupervisedChild } from '../supervised-child.js';
import { SystemClock } from '../system-clock.js';
import { withinTimeout } from '../within-timeout.js';
import { type AsyncStreamOptions, type StreamResult, TaskStream } from './async-stream.js';
import { checkTaskOptions, checkTimeout } from './task-checks.js';
import { type TaskHost, TaskRun } from './task-run.js';
import type { StartedTask, Task, TaskFn, TaskInfo, TaskOptions, TaskOutcome } from './task.js';

/** Options of a {@link TaskSupervisor}. */
export interface TaskSupervisorOptions {
  /** Name used in logs, snapshots and errors. */
  name: string;
  clock?: Clock;
  logger?: RuntimeLogger;
  /** How long `stop()` waits for running tasks before aborting them, in ms (default 5000). */
  shutdownTimeout?: number;
  /** Random numbers in [0, 1) for backoff jitter (default `Math.random`). */
  random?: () => number;
  /** Receives started / restarted / stopped events of this supervisor. */
  events?: LifecycleListener;
}

/** Lifecycle of a task supervisor. It accepts tasks while `idle` or `running`. */
export type TaskSupervisorStatus = 'idle' | 'running' | 'stopping' | 'stopped';

/** A point-in-time view of a task supervisor. `tasks` lists at most the first 100 live tasks. */
export interface TaskSupervisorInfo {
  readonly type: 'task-supervisor';
  readonly name: string;
  readonly status: TaskSupervisorStatus;
  /** Times it was restarted by its parent. */
  readonly restarts: number;
  /** Live tasks whose status is `running`. */
  readonly running: number;
  /** Tasks started so far (retries not counted). */
  readonly started: number;
  readonly succeeded: number;
  /** Tasks that failed for good (a retried failure is counted in `retries`). */
  readonly failed: number;
  readonly retries: number;
  readonly cancelled: number;
  /** The live tasks: running or waiting to retry. */
  readonly tasks: readonly TaskInfo[];
}

const LISTED_TASKS = 100;
const NAMED_IN_LOGS = 5;
const OK: TaskOutcome = Object.freeze({ ok: true });
const CANCELLED: TaskOutcome = Object.freeze({ cancelled: true });

/**
 * Runs one-off tasks under supervision (Elixir's Task.Supervisor): fire-and-forget with
 * {@link TaskSupervisor.start}, for a result with {@link TaskSupervisor.async}, over a collection with
 * bounded concurrency with {@link TaskSupervisor.asyncStream}. A failure is logged once, saying what
 * happens next; a `transient` task is retried with backoff within a restart limit of its own. Each task
 * gets an AbortSignal that aborts when it is cancelled. As a child of a {@link Supervisor} it appears in
 * the tree snapshot, and stopping it waits up to `shutdownTimeout` for running tasks, then aborts them.
 */
export class TaskSupervisor implements SupervisedChild {
  readonly name: string;
  readonly restartType: RestartType = 'permanent';
  readonly shutdownTimeout: number;
  private readonly clock: Clock;
  private readonly logger: RuntimeLogger;
  private readonly live = new Set<TaskRun<unknown>>();
  private readonly host: TaskHost;
  private readonly spawnItem = <R>(fn: TaskFn<R>, name: string, onExit: (task: TaskRun<R>) => void) =>
    this.spawn(fn, { name }, onExit);
  private state: TaskSupervisorStatus = 'idle';
  private nextId = 1;
  private startedCount = 0;
  private succeededCount = 0;
  private failedCount = 0;
  private retryCount = 0;
  private cancelledCount = 0;
  private restartCount = 0;
  private exitListener: ExitListener | undefined;
  /** The stop in progress, returned to a second caller. */
  private stopping: Promise<void> | undefined;
  /** Called when the last live task ends (while a stop waits for them). */
  private drained: (() => void) | undefined;
  /** Bumped by every stop and kill, so a stop overtaken by a kill does not finish it again. */
  private epoch = 0;

  constructor(private readonly options: TaskSupervisorOptions) {
    this.name = options.name;
    this.shutdownTimeout = options.shutdownTimeout ?? 5000;
    checkTimeout(this.name, 'shutdownTimeout', this.shutdownTimeout);
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    this.host = {
      name: this.name,
      clock: this.clock,
      logger: this.logger,
      work: this.clock.work,
      unusedSignal: new AbortController().signal,
      random: options.random,
      accepting: () => this.state === 'running' || this.state === 'idle',
      ended: (task) => this.ended(task),
      retried: () => void this.retryCount++,
    };
  }

  get status(): TaskSupervisorStatus {
    return this.state;
  }

  /** Live tasks: running or waiting to retry. */
  get runningCount(): number {
    return this.live.size;
  }

  /**
   * Without arguments: marks the supervisor running (as its parent does; it accepts tasks while idle
   * too).
   */
  start(): Promise<void>;
  /**
   * Starts a supervised task and forgets it: a failure is logged (and retried if `transient`), never
   * thrown. Throws a {@link TaskSupervisorStoppedError} if the supervisor is stopping or stopped, and a
   * RangeError for bad options. The function runs on a microtask, after this returns.
   */
  start(fn: TaskFn<unknown>, options?: TaskOptions): StartedTask;
  start(...args: [] | [fn: TaskFn<unknown>, options?: TaskOptions]): Promise<void> | StartedTask {
    if (args.length === 0) {
      if (this.state === 'idle' || this.state === 'stopped') {
        this.state = 'running';
        this.emit('started');
      }
      return Promise.resolve();
    }
    return this.spawn(args[0], args[1], undefined);
  }

  /**
   * Starts a supervised task whose result is wanted: `await()` it (or `yield()`). A task nobody awaits
   * never causes an unhandled rejection. Throws as {@link TaskSupervisor.start} does.
   */
  async<R>(fn: TaskFn<R>, options?: TaskOptions): Task<R> {
    return this.spawn(fn, options, undefined);
  }

  /**
   * @internal {@link TaskSupervisor.start} plus `onExit`, called once when the task is final.
   */
  run(
    fn: TaskFn<unknown>,
    options: TaskOptions | undefined,
    onExit: (outcome: TaskOutcome) => void,
  ): StartedTask {
    return this.spawn(fn, options, (task) =>
      onExit(
        task.status === 'succeeded'
          ? OK
          : task.status === 'cancelled'
            ? CANCELLED
            : { ok: false, error: task.error },
      ),
    );
  }

  /**
   * Runs `fn` on each item as a task of this supervisor, at most `maxConcurrency` at a time, and yields
   * each outcome (Elixir's `Task.Supervisor.async_stream_nolink`): a failed item yields `status: 'error'`
   * and the stream goes on. Items are pulled lazily, only while fewer than `maxConcurrency` results are
   * in flight or waiting to be consumed. Leaving the loop early aborts the items in flight and closes the
   * source. Bad options throw a RangeError here, a stopped supervisor a {@link TaskSupervisorStoppedError}.
   *
   * @example
   * for await (const r of tasks.asyncStream(userIds, (id, signal) => sync(id, signal), { maxConcurrency: 4 })) {
   *   if (r.status !== 'ok') failed.push(r.item);
   * }
   */
  asyncStream<I, R>(
    items: Iterable<I> | AsyncIterable<I>,
    fn: (item: I, signal: AbortSignal) => R | PromiseLike<R>,
    options: AsyncStreamOptions = {},
  ): AsyncIterableIterator<StreamResult<I, R>, undefined> {
    this.checkAccepting();
    const {
      maxConcurrency = availableParallelism(),
      ordered = true,
      timeout = 5000,
      onTimeout = 'throw',
    } = options;
    const owner = `${this.name}: asyncStream`;
    if (!(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) {
      throw new RangeError(`${owner}: maxConcurrency must be an integer >= 1, got ${maxConcurrency}`);
    }
    checkTimeout(owner, 'timeout', timeout);
    if (onTimeout !== 'throw' && onTimeout !== 'kill_task') {
      throw new RangeError(`${owner}: onTimeout must be 'throw' or 'kill_task', got '${String(onTimeout)}'`);
    }
    if (!isIterable(items)) throw new TypeError(`${owner}: items must be an iterable or an async iterable`);
    if (typeof fn !== 'function') throw new TypeError(`${owner}: fn must be a function`);
    return new TaskStream(items, fn, this.spawnItem, {
      supervisor: this.name,
      clock: this.clock,
      maxConcurrency,
      ordered,
      timeout,
      onTimeout,
      prefix: options.name ?? 'async-stream',
      unusedSignal: this.host.unusedSignal,
    });
  }

  /** Live tasks (running or waiting to retry), oldest first. */
  tasks(): TaskInfo[] {
    const list: TaskInfo[] = [];
    for (const task of this.live) list.push(task.info());
    return list;
  }

  setExitListener(listener: ExitListener | undefined): void {
    this.exitListener = listener;
  }

  /** Runs again after a stop (or a kill); tasks are accepted again. Resolves true. */
  async restart(): Promise<boolean> {
    if (this.state === 'stopped') {
      this.restartCount++;
      this.state = 'running';
      this.emit('restarted');
    } else if (this.state === 'idle') {
      this.state = 'running';
    }
    return this.state === 'running';
  }

  /**
   * Refuses new tasks, cancels pending retries, waits up to `timeout` (default `shutdownTimeout`, on the
   * clock) for running tasks, then aborts the rest with reason `shutdown` and logs one summary line. A
   * second call returns the first one's promise.
   */
  stop(reason: ExitReason = 'shutdown', options: { timeout?: number } = {}): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.state === 'stopping' && this.stopping !== undefined) return this.stopping;
    return (this.stopping = this.shutDown(reason, options.timeout ?? this.shutdownTimeout));
  }

  /** Aborts every task at once (reason `shutdown`) and stops. */
  kill(): void {
    if (this.state === 'stopped' || (this.state === 'idle' && this.live.size === 0)) return;
    this.epoch++;
    this.state = 'stopping';
    const aborted = this.abortAll();
    if (aborted.length > 0) {
      this.logger.warn(`${this.name} killed: ${aborted.length} task(s) aborted (${names(aborted)})`);
    }
    this.exit('killed');
  }

  info(): TaskSupervisorInfo {
    const tasks: TaskInfo[] = [];
    let running = 0;
    for (const task of this.live) {
      if (task.status === 'running') running++;
      if (tasks.length < LISTED_TASKS) tasks.push(task.info());
    }
    return {
      type: 'task-supervisor',
      name: this.name,
      status: this.state,
      restarts: this.restartCount,
      running,
      started: this.startedCount,
      succeeded: this.succeededCount,
      failed: this.failedCount,
      retries: this.retryCount,
      cancelled: this.cancelledCount,
      tasks,
    };
  }

  private spawn<R>(
    fn: TaskFn<R>,
    options: TaskOptions | undefined,
    onExit: ((task: TaskRun<R>) => void) | undefined,
  ): TaskRun<R> {
    this.checkAccepting();
    const id = this.nextId;
    const name = options?.name ?? `task-${id}`;
    if (typeof fn !== 'function') throw new TypeError(`${this.name}: task ${name}: fn must be a function`);
    if (options !== undefined) checkTaskOptions(`${this.name}: task ${name}`, options);
    this.nextId++;
    this.startedCount++;
    const task = new TaskRun(this.host, id, name, fn, options, onExit);
    this.live.add(task as TaskRun<unknown>);
    return task;
  }

  private checkAccepting(): void {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new TaskSupervisorStoppedError(this.name, this.state);
    }
  }

  private ended(task: TaskRun<unknown>): void {
    this.live.delete(task);
    if (task.status === 'succeeded') this.succeededCount++;
    else if (task.status === 'failed') this.failedCount++;
    else this.cancelledCount++;
    if (this.live.size === 0) this.drained?.();
  }

  private async shutDown(reason: ExitReason, timeout: number): Promise<void> {
    const epoch = ++this.epoch;
    this.state = 'stopping';
    const retriesCancelled: string[] = [];
    for (const task of [...this.live]) {
      if (task.status === 'retrying' && task.cancel('shutdown')) retriesCancelled.push(task.name);
    }
    const running = this.live.size;
    let aborted: string[] = [];
    if (running > 0) {
      if (timeout > 0) {
        const drained = new Promise<void>((resolve) => (this.drained = resolve));
        await withinTimeout(drained, timeout, this.clock);
        this.drained = undefined;
        if (epoch !== this.epoch) return; // killed meanwhile
      }
      aborted = this.abortAll();
    }
    if (running + retriesCancelled.length > 0) {
      const summary =
        `${this.name}: tasks stopped: ${running - aborted.length} finished` +
        (aborted.length > 0 ? `, ${aborted.length} aborted after ${timeout} ms (${names(aborted)})` : '') +
        (retriesCancelled.length > 0
          ? `, ${retriesCancelled.length} ${retriesCancelled.length === 1 ? 'retry' : 'retries'} cancelled ` +
            `(${names(retriesCancelled)})`
          : '');
      if (aborted.length > 0) this.logger.warn(summary);
      else this.logger.log(summary);
    }
    this.exit(reason);
  }

  /** Cancels every live task with reason `shutdown`; returns their names. */
  private abortAll(): string[] {
    const aborted: string[] = [];
    for (const task of [...this.live]) if (task.cancel('shutdown')) aborted.push(task.name);
    return aborted;
  }

  private exit(reason: ExitReason): void {
    this.state = 'stopped';
    const restart = this.exitListener?.(this, reason) ?? false;
    if (!restart) this.emit('stopped', reason);
  }

  private emit(type: LifecycleEventType, reason?: ExitReason): void {
    const { name, restartCount: restarts } = this;
    emitSupervisorEvent(this.options.events, this.clock, this.logger, { name, restarts }, type, reason);
  }
}

/** The first few names, for a log line. */
function names(list: readonly string[]): string {
  const shown = list.slice(0, NAMED_IN_LOGS).join(', ');
  return list.length > NAMED_IN_LOGS ? `${shown}, … ${list.length - NAMED_IN_LOGS} more` : shown;
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  if (value === null || value === undefined) return false;
  const object = value as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
  return typeof object[Symbol.asyncIterator] === 'function' || typeof object[Symbol.iterator] === 'function';
}
