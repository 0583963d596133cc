import { describeError } from '../exit-reason.js';
import { GenServerError } from './genserver.error.js';

/**
 * A server could not start: creating its instance or its `@Init` threw, or `@Init` did not finish
 * within the server's `initTimeout`. `cause` is what was thrown (absent on a timeout).
 */
export class InitFailedError extends GenServerError {
  readonly code = 'INIT_FAILED' as const;

  constructor(
    readonly server: string,
    /** What failed, e.g. `@Init load()` or `creating the instance`. */
    readonly step: string,
    cause: unknown,
    /** Set when the step timed out rather than threw. */
    readonly timeoutMs?: number,
  ) {
    super(
      timeoutMs === undefined
        ? `${server} failed to start: ${step} threw ${describeError(cause)}`
        : `${server} failed to start: ${step} did not finish within ${timeoutMs} ms. ` +
            `Make it faster, or raise @GenServer({ initTimeout }).`,
      timeoutMs === undefined ? { cause } : undefined,
    );
  }
}
