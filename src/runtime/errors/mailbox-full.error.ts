import { GenServerError } from './genserver.error.js';

/**
 * A server's bounded mailbox (`mailbox: { capacity }`) was full and refused a call: the call never
 * entered the mailbox. A refused cast or `send` is not thrown: `cast()` and `send()` return `false`,
 * and the server counts it and emits a `mailbox_full` lifecycle event.
 */
export class MailboxFullError extends GenServerError {
  readonly code = 'MAILBOX_FULL' as const;

  constructor(
    readonly server: string,
    readonly messageName: string,
    readonly capacity: number,
    readonly overflow: 'reject' | 'drop-oldest',
  ) {
    super(
      `${server} refused ${messageName}: its mailbox is full (capacity ${capacity}, overflow '${overflow}'` +
        (overflow === 'drop-oldest' ? ', and only calls are queued: a call is never dropped' : '') +
        `). The server handles messages slower than they arrive. Retry later, slow the producer (await ` +
        `calls instead of firing casts, so the producer waits for the server), or raise ` +
        `@GenServer({ mailbox: { capacity } }) if the server can catch up.`,
    );
  }
}
