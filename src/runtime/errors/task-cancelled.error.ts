import { GenServerError } from './genserver.error.js';

/** Why a task was cancelled (see {@link TaskCancelledError}). */
export type TaskCancelReason = 'cancelled' | 'timeout' | 'shutdown';

/**
 * A task was cancelled before it finished: `reason` says by whom. It is the `reason` of the task's
 * AbortSignal, and what a pending `await` / `yield` rejects with. Whatever the task's function settles
 * with afterwards is ignored.
 */
export class TaskCancelledError extends GenServerError {
  readonly code = 'TASK_CANCELLED' as const;

  constructor(
    readonly task: string,
    readonly supervisor: string,
    readonly reason: TaskCancelReason,
  ) {
    super(
      `Task ${task} of ${supervisor} was cancelled (${reason}): ` +
        (reason === 'cancelled'
          ? 'shutdown() was called on it. '
          : reason === 'timeout'
            ? 'its caller stopped waiting for it (await or stream timeout). '
            : `${supervisor} stopped before it finished. `) +
        `Work it started should stop when its AbortSignal aborts; its late result is ignored.`,
    );
  }
}
