import { describeError } from '../exit-reason.js';
import { GenServerError } from './genserver.error.js';

/**
 * The server crashed before it replied to this call. `crashedDuring` names the message whose handler
 * threw; when that was not this call, the call was still waiting in the mailbox and never ran.
 * `cause` is what the handler threw. The supervisor restarts the server with fresh state.
 */
export class ServerCrashedError extends GenServerError {
  readonly code = 'SERVER_CRASHED' as const;

  constructor(
    readonly server: string,
    readonly crashedDuring: string,
    cause: unknown,
    /** The call this error answers, when it is not the one that crashed the server. */
    readonly pendingMessage?: string,
    /** Where that call was: still `queued` in the mailbox, or handled with its reply `deferred`. */
    readonly stage: 'queued' | 'deferred' = 'queued',
  ) {
    super(
      pendingMessage === undefined
        ? `${server} crashed while handling ${crashedDuring}: ${describeError(cause)}`
        : stage === 'deferred'
          ? `${server} crashed while handling ${crashedDuring}, before it replied to your ${pendingMessage} ` +
            `(its handler had deferred the reply): ${describeError(cause)}`
          : `${server} crashed while handling ${crashedDuring}, before your ${pendingMessage} ran ` +
            `(it was still in the mailbox): ${describeError(cause)}`,
      { cause },
    );
  }
}
