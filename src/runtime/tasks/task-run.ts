import { backoffDelay } from '../backoff.js';
import type { Clock, TimerHandle, WorkObserver } from '../clock.js';
import { type TaskCancelReason, TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskTimeoutError } from '../errors/task-timeout.error.js';
import { describeError } from '../exit-reason.js';
import { isThenable } from '../is-thenable.js';
import type { RuntimeLogger } from '../logger.js';
import { microtask } from '../microtask.js';
import { RestartIntensity } from '../restart-intensity.js';
import { checkTimeout } from './task-checks.js';
import { type Task, type TaskFn, type TaskInfo, type TaskOptions, type TaskStatus } from './task.js';

/** @internal What a task needs from its supervisor. */
export interface TaskHost {
  readonly name: string;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  /** The clock's work observer (a test clock), told while an attempt runs. */
  readonly work: WorkObserver | undefined;
  /**
   * Handed to task functions that declare no parameter (`fn.length === 0`, so they cannot see it but
   * through rest parameters): a signal that never aborts, one per task supervisor rather than one
   * `AbortController` per task.
   */
  readonly unusedSignal: AbortSignal;
  /** Randomness for backoff jitter when the backoff brings none. */
  readonly random: (() => number) | undefined;
  /** False while the supervisor stops: a failed task is not retried. */
  accepting(): boolean;
  /** The task is final (succeeded, failed or cancelled). */
  ended(task: TaskRun<unknown>): void;
  /** The task will run again. */
  retried(): void;
}

/** A pending `await` or `yield`. */
interface Waiter<R> {
  readonly resolve: (value: R | undefined) => void;
  readonly reject: (error: unknown) => void;
  readonly yielding: boolean;
  timer: TimerHandle | undefined;
}

/**
 * @internal One supervised task: runs its function on a microtask, retries a transient one after a
 * failure (logging each failure once), and settles its waiters when it is final. Nothing it does becomes
 * an unhandled rejection; a result that arrives after it was cancelled (or from a stale attempt) is
 * ignored.
 */
export class TaskRun<R> implements Task<R> {
  readonly startedAt: number;
  private state: TaskStatus = 'running';
  private current = 1;
  private controller: AbortController | undefined;
  private value: R | undefined;
  private failure: unknown;
  private waiters: Waiter<R>[] | undefined;
  private retryTimer: TimerHandle | undefined;
  private intensity: RestartIntensity | undefined;
  /** Consecutive retries (for backoff) and when the current attempt began. */
  private consecutive = 0;
  private attemptAt: number;
  /** Reported to the clock's work observer: an attempt is queued or running. */
  private active = false;

  constructor(
    private readonly host: TaskHost,
    readonly id: number,
    readonly name: string,
    private readonly fn: TaskFn<R>,
    private readonly options: TaskOptions | undefined,
    private readonly onExit: ((task: TaskRun<R>) => void) | undefined,
  ) {
    this.startedAt = this.attemptAt = host.clock.now();
    this.activate();
    microtask(() => this.runAttempt());
  }

  get status(): TaskStatus {
    return this.state;
  }

  get attempt(): number {
    return this.current;
  }

  /** True once succeeded, failed or cancelled. */
  get final(): boolean {
    return this.state !== 'running' && this.state !== 'retrying';
  }

  /** @internal The value of a succeeded task. */
  get result(): R | undefined {
    return this.value;
  }

  /** @internal What a failed task threw (its last attempt), or the TaskCancelledError of a cancelled one. */
  get error(): unknown {
    return this.failure;
  }

  shutdown(): void {
    this.cancel('cancelled');
  }

  await(timeoutMs = 5000): Promise<R> {
    checkTimeout(`${this.host.name}: task ${this.name}`, 'the await timeout', timeoutMs);
    return this.wait(timeoutMs, false) as Promise<R>;
  }

  yield(timeoutMs = 5000): Promise<R | undefined> {
    checkTimeout(`${this.host.name}: task ${this.name}`, 'the yield timeout', timeoutMs);
    return this.wait(timeoutMs, true);
  }

  info(): TaskInfo {
    return {
      id: this.id,
      name: this.name,
      status: this.state,
      attempt: this.current,
      startedAt: this.startedAt,
    };
  }

  /**
   * @internal Ends the task unless it is final: a pending retry is dropped, the signal aborts and waiters
   * reject with a {@link TaskCancelledError}. Returns false if it was already final.
   */
  cancel(reason: TaskCancelReason): boolean {
    if (this.final) return false;
    if (this.retryTimer !== undefined) {
      this.host.clock.clearTimer(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.state = 'cancelled';
    const error = new TaskCancelledError(this.name, this.host.name, reason);
    this.failure = error;
    this.controller?.abort(error);
    this.finish();
    return true;
  }

  private runAttempt(): void {
    if (this.state !== 'running') return;
    const attempt = this.current;
    let result: R | PromiseLike<R>;
    try {
      const fn = this.fn;
      // A function that declares no parameter cannot read its signal: spare it the costly AbortController.
      result = fn(
        fn.length === 0 ? this.host.unusedSignal : (this.controller ??= new AbortController()).signal,
        attempt,
      );
    } catch (error) {
      this.failed(attempt, error);
      return;
    }
    if (isThenable(result)) {
      void Promise.resolve(result).then(
        (value) => this.succeeded(attempt, value),
        (error: unknown) => this.failed(attempt, error),
      );
    } else {
      this.succeeded(attempt, result);
    }
  }

  private succeeded(attempt: number, value: R): void {
    if (attempt !== this.current || this.state !== 'running') return;
    this.state = 'succeeded';
    this.value = value;
    this.finish();
  }

  /** Logs the failure once, saying what happens next, and retries or ends the task. */
  private failed(attempt: number, error: unknown): void {
    if (attempt !== this.current || this.state !== 'running') return;
    const host = this.host;
    const who = `${host.name}: task ${this.name}`;
    const what = describeError(error);
    if ((this.options?.restart ?? 'temporary') === 'temporary') {
      host.logger.error(`${who} failed: ${what}; it is temporary, so it is not restarted`, error);
      return this.fail(error);
    }
    if (!host.accepting()) {
      host.logger.error(
        `${who} failed (attempt ${attempt}): ${what}; not restarted: ${host.name} is stopping`,
        error,
      );
      return this.fail(error);
    }
    const now = host.clock.now();
    const options = this.options as TaskOptions;
    const intensity = (this.intensity ??= new RestartIntensity(
      options.maxRestarts ?? 3,
      options.withinMs ?? 5000,
      who,
    ));
    if (!intensity.allow(now)) {
      const failures = intensity.recent(now) + 1;
      host.logger.error(
        `${who} failed (attempt ${attempt}): ${what}; giving up after ${failures} failure${failures === 1 ? '' : 's'} ` +
          `within ${intensity.withinMs} ms`,
        error,
      );
      return this.fail(error);
    }
    const delay = this.retryDelay(now);
    host.logger.error(
      `${who} failed (attempt ${attempt}): ${what}; restarting ${delay > 0 ? `in ${Math.round(delay)} ms` : 'now'} ` +
        `(restart ${intensity.recent(now)} of ${intensity.maxRestarts} within ${intensity.withinMs} ms)`,
      error,
    );
    this.state = 'retrying';
    host.retried();
    if (delay > 0) {
      this.rest();
      this.retryTimer = host.clock.setTimer(() => this.retry(), delay, true);
    } else {
      microtask(() => this.retry());
    }
  }

  private retry(): void {
    if (this.state !== 'retrying') return;
    this.retryTimer = undefined;
    this.state = 'running';
    this.current++;
    this.attemptAt = this.host.clock.now();
    this.activate();
    this.runAttempt();
  }

  /** The wait before the next attempt (0 without backoff); counts the retry. */
  private retryDelay(now: number): number {
    const backoff = this.options?.backoff;
    if (backoff === undefined) return 0;
    if (now - this.attemptAt >= (backoff.resetAfterMs ?? backoff.maxMs)) this.consecutive = 0;
    return backoffDelay(backoff, this.consecutive++, this.host.random);
  }

  private fail(error: unknown): void {
    this.state = 'failed';
    this.failure = error;
    this.finish();
  }

  /** The task is final: tell the supervisor, then the waiters, then the exit callback. */
  private finish(): void {
    this.rest();
    this.host.ended(this as TaskRun<unknown>);
    const waiters = this.waiters;
    if (waiters !== undefined) {
      this.waiters = undefined;
      for (const waiter of waiters) {
        if (waiter.timer !== undefined) this.host.clock.clearTimer(waiter.timer);
        if (this.state === 'succeeded') waiter.resolve(this.value);
        else waiter.reject(this.failure);
      }
    }
    if (this.onExit !== undefined) {
      try {
        this.onExit(this);
      } catch (error) {
        this.host.logger.error(`${this.host.name}: the exit callback of task ${this.name} threw`, error);
      }
    }
  }

  private wait(timeoutMs: number, yielding: boolean): Promise<R | undefined> {
    if (this.state === 'succeeded') return Promise.resolve(this.value);
    if (this.final) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<R> = { resolve, reject, yielding, timer: undefined };
      if (timeoutMs !== Infinity) {
        waiter.timer = this.host.clock.setTimer(() => this.timedOut(waiter, timeoutMs), timeoutMs);
      }
      (this.waiters ??= []).push(waiter);
    });
  }

  /** A waiter's time ran out: `yield` resolves undefined; `await` rejects and cancels the task. */
  private timedOut(waiter: Waiter<R>, timeoutMs: number): void {
    const waiters = this.waiters;
    const index = waiters === undefined ? -1 : waiters.indexOf(waiter);
    if (index < 0) return;
    (waiters as Waiter<R>[]).splice(index, 1);
    if (waiter.yielding) return waiter.resolve(undefined);
    waiter.reject(new TaskTimeoutError(this.name, this.host.name, timeoutMs, 'await'));
    this.cancel('timeout');
  }

  private activate(): void {
    if (this.active || this.host.work === undefined) return;
    this.active = true;
    this.host.work.started();
  }

  private rest(): void {
    if (!this.active) return;
    this.active = false;
    (this.host.work as WorkObserver).ended();
  }
}
