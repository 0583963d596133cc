import { GenServerError } from './genserver.error.js';

/** The server has no handler for this call or cast. Nothing was queued; the server keeps running. */
export class UnknownMessageError extends GenServerError {
  readonly code = 'UNKNOWN_MESSAGE' as const;

  constructor(
    readonly server: string,
    readonly kind: 'call' | 'cast',
    readonly messageName: string,
    readonly known: readonly string[],
  ) {
    super(
      `${server} has no ${kind} handler named '${messageName}'. Known ${kind}s: ` +
        (known.length > 0 ? known.map((k) => `'${k}'`).join(', ') : 'none') +
        `. Add @Handle${kind === 'call' ? 'Call' : 'Cast'}() to the method, or fix the name.`,
    );
  }
}
