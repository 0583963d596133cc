/** A server that kept a handler running (or messages waiting) when {@link GenServerHarness.idle} gave up. */
export interface BusyServer {
  readonly name: string;
  readonly key?: string;
  /** What its running handler handles (`call 'charge'`), if one runs. */
  readonly handling?: string;
  readonly mailboxLength: number;
}

/**
 * `idle()` gave up: some server is still handling a message, and made no progress for several
 * event-loop turns — it waits on something that does not move by itself: the manual clock (a timer,
 * a `sendAfter`, a backoff) or real I/O. Advance time with `advanceBy()` instead, or settle what it
 * waits for.
 */
export class NotIdleError extends Error {
  readonly code = 'NOT_IDLE' as const;

  constructor(
    readonly busy: readonly BusyServer[],
    now: number,
  ) {
    super(
      `The servers did not become idle: ${busy.map(describe).join('; ')} — and made no progress for ` +
        `several event-loop turns at ${new Date(now).toISOString()} (manual clock). A handler that ` +
        'waits on a timer needs time to move: use advanceBy() rather than idle(); one that waits on a ' +
        'promise nobody settles (an unmocked dependency?) never finishes.',
    );
    this.name = 'NotIdleError';
  }
}

function describe(server: BusyServer): string {
  const who = server.key === undefined ? server.name : `${server.name}[${server.key}]`;
  const doing = server.handling === undefined ? 'busy' : `handling ${server.handling}`;
  return `${who} is ${doing} with ${server.mailboxLength} message(s) waiting`;
}
