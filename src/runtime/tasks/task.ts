import type { BackoffOptions } from '../backoff.js';

/**
 * The work of a task. `signal` aborts (with a {@link TaskCancelledError} as its reason) when the task is
 * cancelled: by `shutdown()`, an `await` timeout, or its supervisor stopping. `attempt` is 1 for the
 * first run and grows by one per retry of a transient task.
 *
 * An `AbortSignal` costs more than the rest of a task together (about 2 µs and 700 B on Node 20), so a
 * function that declares no parameter (`() => send(mail)`) is given its task supervisor's unused signal,
 * one signal that never aborts. Declare `signal` to get one of its own.
 */
export type TaskFn<R> = (signal: AbortSignal, attempt: number) => R | PromiseLike<R>;

/** How a task is named and whether it is retried after a failure. */
export interface TaskOptions {
  /** Used in logs, snapshots and errors (default `task-<id>`). */
  readonly name?: string;
  /**
   * `temporary` (default): a failure is final. `transient`: a failed task runs again, up to `maxRestarts`
   * times within `withinMs`, waiting `backoff` between runs.
   */
  readonly restart?: 'temporary' | 'transient';
  /** Retries allowed within `withinMs` before a transient task gives up (default 3). */
  readonly maxRestarts?: number;
  /** The window for `maxRestarts`, in ms (default 5000). */
  readonly withinMs?: number;
  /** Wait between retries, growing exponentially (default: retry at once). */
  readonly backoff?: BackoffOptions;
}

/**
 * Where a task is: `running` (also before its first run, queued on a microtask), `retrying` (waiting to
 * run again after a failure), or final: `succeeded`, `failed` (the last attempt failed and it will not be
 * retried), `cancelled`.
 */
export type TaskStatus = 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/** A supervised task started with `TaskSupervisor.start` (fire and forget). */
export interface StartedTask {
  /** Unique within its supervisor. */
  readonly id: number;
  readonly name: string;
  readonly status: TaskStatus;
  /** Cancels the task: its signal aborts with reason `cancelled`. A no-op once it is final. */
  shutdown(): void;
}

/** A task whose result is wanted, started with `TaskSupervisor.async` (Elixir's `Task.Supervisor.async`). */
export interface Task<R> extends StartedTask {
  /**
   * The task's value, or a rejection with what its last attempt threw (a {@link TaskCancelledError} if it
   * was cancelled). After `timeoutMs` (on the supervisor's clock; `Infinity` waits for ever) it rejects
   * with a {@link TaskTimeoutError} and cancels the task, whose signal aborts with reason `timeout`. May
   * be called several times. Throws a RangeError at once for a timeout that is not >= 0.
   */
  await(timeoutMs?: number): Promise<R>;
  /**
   * Like {@link Task.await}, but resolves `undefined` after `timeoutMs` and leaves the task running: it
   * can be yielded or awaited again.
   */
  yield(timeoutMs?: number): Promise<R | undefined>;
}

/** A live task in a snapshot (`TaskSupervisor.info().tasks`). */
export interface TaskInfo {
  readonly id: number;
  readonly name: string;
  readonly status: TaskStatus;
  /** The attempt running, or the one that failed while `retrying` (1 for the first). */
  readonly attempt: number;
  /** When the task was started, on the supervisor's clock (epoch ms). */
  readonly startedAt: number;
}

/** @internal How a task ended, as told to `TaskSupervisor.run`'s callback. */
export type TaskOutcome =
  { readonly ok: true } | { readonly ok: false; readonly error: unknown } | { readonly cancelled: true };
