import { checkBackoff } from '../backoff.js';
import type { TaskOptions } from './task.js';

/** Throws a RangeError naming the supervisor and the task when `options` are not usable. */
export function checkTaskOptions(owner: string, options: TaskOptions): void {
  const { restart, maxRestarts, withinMs, backoff } = options;
  if (restart !== undefined && restart !== 'temporary' && restart !== 'transient') {
    throw new RangeError(`${owner}: restart must be 'temporary' or 'transient', got '${String(restart)}'`);
  }
  if (maxRestarts !== undefined && !(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
    throw new RangeError(`${owner}: maxRestarts must be an integer >= 0, got ${maxRestarts}`);
  }
  if (withinMs !== undefined && !(withinMs > 0)) {
    throw new RangeError(`${owner}: withinMs must be a number of ms > 0, got ${withinMs}`);
  }
  if (backoff !== undefined) checkBackoff(owner, backoff);
}

/** Throws a RangeError unless `timeoutMs` is a number of ms >= 0 or Infinity. */
export function checkTimeout(owner: string, what: string, timeoutMs: number): void {
  if (!(timeoutMs === Infinity || (Number.isFinite(timeoutMs) && timeoutMs >= 0))) {
    throw new RangeError(
      `${owner}: ${what} must be a number of ms >= 0 or Infinity, got ${String(timeoutMs)}`,
    );
  }
}
