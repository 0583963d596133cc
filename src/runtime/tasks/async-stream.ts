import type { Clock, TimerHandle } from '../clock.js';
import { TaskTimeoutError } from '../errors/task-timeout.error.js';
import { isThenable } from '../is-thenable.js';
import type { TaskRun } from './task-run.js';
import type { TaskFn } from './task.js';

/** Options of `TaskSupervisor.asyncStream`. */
export interface AsyncStreamOptions {
  /**
   * Items in flight at once, counting finished results not yet consumed (default
   * `os.availableParallelism()`): a slow consumer stops the source being pulled.
   */
  readonly maxConcurrency?: number;
  /** Yield results in input order (default `true`), or as they complete. */
  readonly ordered?: boolean;
  /** Time allowed per item from its start, in ms (default 5000; `Infinity` for none). */
  readonly timeout?: number;
  /**
   * When an item times out: `throw` (default) makes the iterator's `next()` reject with a
   * {@link TaskTimeoutError} and aborts every item in flight; `kill_task` aborts that item's task and
   * yields a `timeout` result for it.
   */
  readonly onTimeout?: 'throw' | 'kill_task';
  /** Prefix of the items' task names, which are `<name>[<index>]` (default `async-stream`). */
  readonly name?: string;
}

/** The outcome of one item of an `asyncStream`; `index` is its position in the source. */
export type StreamResult<I, R> =
  | { readonly status: 'ok'; readonly value: R; readonly item: I; readonly index: number }
  | { readonly status: 'error'; readonly error: unknown; readonly item: I; readonly index: number }
  | { readonly status: 'timeout'; readonly item: I; readonly index: number };

/** @internal Starts one item's task on the supervisor (throws if it refuses). */
export type SpawnItem = <R>(fn: TaskFn<R>, name: string, onExit: (task: TaskRun<R>) => void) => TaskRun<R>;

/** @internal Validated options. */
export interface StreamSettings {
  readonly supervisor: string;
  readonly clock: Clock;
  readonly maxConcurrency: number;
  readonly ordered: boolean;
  readonly timeout: number;
  readonly onTimeout: 'throw' | 'kill_task';
  readonly prefix: string;
  /** Given to an item function that declares no signal (see `TaskHost.unusedSignal`). */
  readonly unusedSignal: AbortSignal;
}

interface Entry<I, R> {
  readonly index: number;
  readonly item: I;
  task: TaskRun<R> | undefined;
  timer: TimerHandle | undefined;
  result: StreamResult<I, R> | undefined;
}

interface Consumer<T> {
  readonly resolve: (result: IteratorResult<T, undefined>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * @internal The iterator behind `TaskSupervisor.asyncStream` (Elixir's `async_stream_nolink`). Items are
 * pulled only while fewer than `maxConcurrency` are in flight — started and not yet consumed — so
 * pulling follows consumption. Closing it (`return()`, a `throw` timeout, a failing source) aborts the
 * items in flight and closes the source.
 */
export class TaskStream<I, R> implements AsyncIterableIterator<StreamResult<I, R>, undefined> {
  private source: Iterator<I> | AsyncIterator<I> | undefined;
  private nextIndex = 0;
  /** The source is exhausted, failed or closed: it is not pulled (nor closed) again. */
  private sourceDone = false;
  /** A `next()` on an async source is pending. */
  private pulling = false;
  /** No more items start; `next()` resolves done (after delivering `failure`, if any). */
  private closed = false;
  private failure: { readonly error: unknown } | undefined;
  /** Why the source stopped being pulled early (the supervisor refused an item): the stream's last word. */
  private refusal: { readonly error: unknown } | undefined;
  /** Started and not yet consumed, in input order. */
  private readonly inFlight = new Map<number, Entry<I, R>>();
  /** Unordered only: finished entries in completion order. */
  private readonly finished: Entry<I, R>[] = [];
  private readonly consumers: Consumer<StreamResult<I, R>>[] = [];

  constructor(
    private readonly items: Iterable<I> | AsyncIterable<I>,
    private readonly fn: (item: I, signal: AbortSignal) => R | PromiseLike<R>,
    private readonly spawn: SpawnItem,
    private readonly settings: StreamSettings,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamResult<I, R>, undefined>> {
    return new Promise((resolve, reject) => {
      this.consumers.push({ resolve, reject });
      this.fill();
      this.deliver();
    });
  }

  /** Stops the stream (a `break` out of `for await`): aborts the items in flight and closes the source. */
  return(): Promise<IteratorResult<StreamResult<I, R>, undefined>> {
    this.close(undefined);
    this.failure = undefined;
    this.deliver();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Pulls and starts items while there is room. */
  private fill(): void {
    while (
      !this.closed &&
      !this.sourceDone &&
      !this.pulling &&
      this.inFlight.size < this.settings.maxConcurrency
    ) {
      let pulled: IteratorResult<I> | PromiseLike<IteratorResult<I>>;
      try {
        this.source ??= open(this.items);
        pulled = this.source.next();
      } catch (error) {
        this.sourceFailed(error);
        return;
      }
      if (!isThenable(pulled)) {
        this.accept(pulled);
        continue;
      }
      this.pulling = true;
      void Promise.resolve(pulled).then(
        (result) => {
          this.pulling = false;
          this.accept(result);
          this.fill();
          this.deliver();
        },
        (error: unknown) => {
          this.pulling = false;
          this.sourceFailed(error);
        },
      );
    }
  }

  private accept(result: IteratorResult<I>): void {
    if (this.closed) return;
    if (typeof result !== 'object' || result === null) {
      this.sourceFailed(
        new TypeError(`${this.settings.prefix}: the source's iterator returned a non-object`),
      );
      return;
    }
    if (result.done) {
      this.sourceDone = true;
      return;
    }
    const index = this.nextIndex++;
    const item = result.value;
    const entry: Entry<I, R> = { index, item, task: undefined, timer: undefined, result: undefined };
    try {
      entry.task = this.spawn(
        this.fn.length < 2
          ? () => this.fn(item, this.settings.unusedSignal)
          : (signal) => this.fn(item, signal),
        `${this.settings.prefix}[${index}]`,
        (task) => this.exited(entry, task),
      );
    } catch (error) {
      // The supervisor is stopping: what is in flight is still delivered, then this error.
      this.refusal = { error };
      this.closeSource();
      return;
    }
    this.inFlight.set(index, entry);
    const { timeout, clock } = this.settings;
    if (timeout !== Infinity) entry.timer = clock.setTimer(() => this.timedOut(entry), timeout);
  }

  private exited(entry: Entry<I, R>, task: TaskRun<R>): void {
    if (this.closed || entry.result !== undefined) return;
    if (entry.timer !== undefined) this.settings.clock.clearTimer(entry.timer);
    const { index, item } = entry;
    entry.result =
      task.status === 'succeeded'
        ? { status: 'ok', value: task.result as R, item, index }
        : { status: 'error', error: task.error, item, index };
    if (!this.settings.ordered) this.finished.push(entry);
    this.deliver();
  }

  private timedOut(entry: Entry<I, R>): void {
    entry.timer = undefined;
    if (this.closed || entry.result !== undefined) return;
    const task = entry.task as TaskRun<R>;
    if (this.settings.onTimeout === 'throw') {
      const { supervisor, timeout } = this.settings;
      this.fail(new TaskTimeoutError(task.name, supervisor, timeout, 'asyncStream'), entry);
      return;
    }
    entry.result = { status: 'timeout', item: entry.item, index: entry.index };
    if (!this.settings.ordered) this.finished.push(entry);
    task.cancel('timeout');
    this.deliver();
  }

  private sourceFailed(error: unknown): void {
    this.sourceDone = true;
    this.fail(error, undefined);
  }

  /** Ends the stream with `error`, delivered to the next `next()`. */
  private fail(error: unknown, timedOut: Entry<I, R> | undefined): void {
    if (this.closed) return;
    this.failure = { error };
    this.close(timedOut);
    this.deliver();
  }

  /** Aborts the items in flight (`timedOut` with reason 'timeout') and closes the source. */
  private close(timedOut: Entry<I, R> | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.inFlight.values()) {
      if (entry.timer !== undefined) this.settings.clock.clearTimer(entry.timer);
      entry.task?.cancel(entry === timedOut ? 'timeout' : 'cancelled');
    }
    this.inFlight.clear();
    this.finished.length = 0;
    this.closeSource();
  }

  /** Calls the source's `return()` unless it is exhausted or failed; never throws. */
  private closeSource(): void {
    const source = this.source;
    if (this.sourceDone || source === undefined) return;
    this.sourceDone = true;
    try {
      const closing = source.return?.();
      if (isThenable(closing)) void Promise.resolve(closing).catch(() => undefined);
    } catch {
      // A source that fails to close has nothing more to give; the stream is closed either way.
    }
  }

  /** Hands results (or the failure, or the end) to waiting consumers. */
  private deliver(): void {
    const consumers = this.consumers;
    while (consumers.length > 0) {
      if (this.failure !== undefined) {
        const { error } = this.failure;
        this.failure = undefined;
        (consumers.shift() as Consumer<StreamResult<I, R>>).reject(error);
        continue;
      }
      if (this.closed) {
        (consumers.shift() as Consumer<StreamResult<I, R>>).resolve({ done: true, value: undefined });
        continue;
      }
      const entry = this.settings.ordered ? this.inFlight.values().next().value : this.finished[0];
      if (entry?.result !== undefined) {
        if (!this.settings.ordered) this.finished.shift();
        this.inFlight.delete(entry.index);
        (consumers.shift() as Consumer<StreamResult<I, R>>).resolve({ done: false, value: entry.result });
        this.fill();
        continue;
      }
      if (this.inFlight.size === 0 && this.sourceDone && !this.pulling) {
        this.closed = true;
        this.failure = this.refusal;
        continue;
      }
      return;
    }
  }
}

function open<I>(items: Iterable<I> | AsyncIterable<I>): Iterator<I> | AsyncIterator<I> {
  const asyncIterator = (items as AsyncIterable<I>)[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') return asyncIterator.call(items);
  return (items as Iterable<I>)[Symbol.iterator]();
}
