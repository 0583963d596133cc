import { GenServerError } from './genserver.error.js';

/**
 * A call got no reply within its timeout. The server keeps running and still handles the message
 * (as in OTP); its late reply is dropped, never delivered to anyone else.
 */
export class CallTimeoutError extends GenServerError {
  readonly code = 'CALL_TIMEOUT' as const;

  constructor(
    readonly server: string,
    readonly messageName: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Call '${messageName}' to ${server} got no reply within ${timeoutMs} ms. The server is busy or the ` +
        `handler is slow; the message may still run and its reply will be dropped. Raise the timeout for ` +
        `this call with ref.withTimeout(ms).call(...), or the server's default with @GenServer({ callTimeout }).`,
    );
  }
}
