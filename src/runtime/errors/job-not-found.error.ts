import { GenServerError } from './genserver.error.js';

/** No periodic job has the name given to `PeriodicRegistry` (or its server is not running). */
export class JobNotFoundError extends GenServerError {
  readonly code = 'JOB_NOT_FOUND' as const;

  constructor(
    readonly job: string,
    known: readonly string[],
  ) {
    const shown = known.slice(0, 20).join(', ');
    super(
      `No periodic job named '${job}'. Job names are 'Server.method' ('Server[key].method' for a dynamic ` +
        `child), or the name given to @Periodic(..., { name }). ` +
        (known.length === 0
          ? 'This application has no periodic jobs.'
          : `Known: ${shown}${known.length > 20 ? `, … (${known.length} in all)` : ''}.`),
    );
  }
}
