import { GenServerError } from './genserver.error.js';

/**
 * A task did not finish within the time its caller waited: `task.await(ms)`, or an `asyncStream` item
 * with `onTimeout: 'throw'`. The task was cancelled: its signal aborted with a {@link TaskCancelledError}
 * whose reason is `'timeout'` (a stream aborts all its in-flight tasks).
 */
export class TaskTimeoutError extends GenServerError {
  readonly code = 'TASK_TIMEOUT' as const;

  constructor(
    readonly task: string,
    readonly supervisor: string,
    readonly timeoutMs: number,
    /** Who waited: `await` or `asyncStream`. */
    readonly waiter: 'await' | 'asyncStream' = 'await',
  ) {
    super(
      waiter === 'await'
        ? `Task ${task} of ${supervisor} did not finish within ${timeoutMs} ms, so await() gave up and ` +
            `cancelled it (its signal aborted with reason 'timeout'). Raise the timeout of await(ms), or ` +
            `use yield(ms) to wait without cancelling the task.`
        : `Stream item ${task} of ${supervisor} did not finish within ${timeoutMs} ms; the stream stopped ` +
            `and aborted its in-flight tasks. Raise the stream's timeout, or pass onTimeout: 'kill_task' ` +
            `to get a 'timeout' result for that item and go on.`,
    );
  }
}
