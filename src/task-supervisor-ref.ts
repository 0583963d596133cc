import type { AsyncStreamOptions, StreamResult } from './runtime/tasks/async-stream.js';
import type { StartedTask, Task, TaskFn, TaskOptions } from './runtime/tasks/task.js';
import type { TaskSupervisor, TaskSupervisorInfo } from './runtime/tasks/task-supervisor.js';

/**
 * A task supervisor of the application (Elixir's `Task.Supervisor`), injected with
 * `@InjectTaskSupervisor()` (the default one, `tasks`) or `@InjectTaskSupervisor('name')` (one declared
 * with `GenServerModule.forTaskSupervisor('name')`). Each is part of the supervision tree and shows in
 * its snapshot; at shutdown it stops accepting tasks, waits for running ones up to its shutdown timeout,
 * then aborts the rest through their `AbortSignal`.
 *
 * @example
 * constructor(@InjectTaskSupervisor('account-setup') private readonly tasks: TaskSupervisorRef) {}
 *
 * setUp(user: User): void {
 *   const retry = { restart: 'transient', backoff: { minMs: 1000, maxMs: 30_000 } } as const;
 *   this.tasks.start((signal) => this.crm.createUser(user, signal), { name: 'crm', ...retry });
 *   this.tasks.start((signal) => this.fulfillment.assign(user, signal), { name: 'fulfillment', ...retry });
 * }
 */
export class TaskSupervisorRef {
  /** @internal */
  constructor(private readonly supervisor: TaskSupervisor) {}

  /** @internal The supervisor behind a ref (for the runtime). */
  static supervisorOf(ref: TaskSupervisorRef): TaskSupervisor {
    return ref.supervisor;
  }

  /** The supervisor's name, as in logs and the tree snapshot. */
  get name(): string {
    return this.supervisor.name;
  }

  /**
   * Starts a supervised task and forgets it (`Task.Supervisor.start_child`): a failure is logged once
   * with the task's name — and retried if `restart: 'transient'` — never thrown, never an unhandled
   * rejection. `fn` gets an `AbortSignal` (cancel, app shutdown) and the attempt number (1, 2, ...).
   * Throws `TaskSupervisorStoppedError` once the app is shutting down.
   */
  start(fn: TaskFn<unknown>, options?: TaskOptions): StartedTask {
    return this.supervisor.start(fn, options);
  }

  /**
   * Starts a supervised task whose result is wanted (`Task.Supervisor.async_nolink`): `await(timeout)`
   * it, `yield(timeout)` for it, or `shutdown()` it. A task nobody awaits never causes an unhandled
   * rejection.
   */
  async<R>(fn: TaskFn<R>, options?: TaskOptions): Task<R> {
    return this.supervisor.async(fn, options);
  }

  /**
   * Runs `fn` on each item as a task, at most `maxConcurrency` at a time, yielding each outcome in input
   * order (or completion order with `ordered: false`) — `Task.Supervisor.async_stream_nolink`. Items are
   * pulled only as results are consumed (back-pressure).
   */
  asyncStream<I, R>(
    items: Iterable<I> | AsyncIterable<I>,
    fn: (item: I, signal: AbortSignal) => R | PromiseLike<R>,
    options?: AsyncStreamOptions,
  ): AsyncIterableIterator<StreamResult<I, R>, undefined> {
    return this.supervisor.asyncStream(items, fn, options);
  }

  /** Counts and live tasks, as in the tree snapshot. */
  info(): TaskSupervisorInfo {
    return this.supervisor.info();
  }
}
