import { GenServerError } from './genserver.error.js';

/**
 * The server cannot take the message: it is stopping, stopped, or its supervisor gave up restarting it.
 */
export class ServerNotRunningError extends GenServerError {
  readonly code = 'SERVER_NOT_RUNNING' as const;

  constructor(
    readonly server: string,
    readonly messageName: string,
    readonly status: string,
    detail?: string,
  ) {
    super(
      `${server} cannot handle ${messageName}: it is ${status}` +
        (detail ? ` (${detail})` : '') +
        '. Messages are refused once a server stops; check the application is not shutting down and the ' +
        'server did not exhaust its restarts (see the error logged when it gave up).',
    );
  }
}
