import { describeError } from '../exit-reason.js';
import { GenServerError } from './genserver.error.js';

/**
 * A server could not start: creating its instance or its `@Init` threw, or `@Init` did not finish
 * within the server's `initTimeout`. `cause` is what was thrown (absent on a timeout).
 */
export class InitFailedError extends GenServerError {
  readonly code = 'INIT_FAILED' as const;
  /** The supervisors above the server, outermost first (filled in as the error passes through them). */
  readonly supervisors: string[] = [];

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

  /** @internal Records that the start failed under `supervisor` (called by each supervisor on the way up). */
  under(supervisor: string): void {
    this.supervisors.unshift(supervisor);
    const chain = [...this.supervisors, this.server].join(' > ');
    const detail = this.message.slice(this.message.indexOf(' failed to start: '));
    this.message = `${chain}${detail}`;
  }
}
