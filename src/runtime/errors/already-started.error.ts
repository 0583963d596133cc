import { GenServerError } from './genserver.error.js';

/** A unique key is already taken by a live process (OTP's `{:error, {:already_started, pid}}`). */
export class AlreadyStartedError extends GenServerError {
  readonly code = 'ALREADY_STARTED' as const;

  constructor(
    /** The supervisor or registry that holds the key. */
    readonly owner: string,
    readonly key: string,
    /** What to do instead (default: look the process up, or terminate it first). */
    hint = 'Look it up instead (lookup / startOrGet), or terminate it first.',
  ) {
    super(`${owner} already has a process under the key '${key}'. ${hint}`);
  }
}
