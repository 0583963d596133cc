/**
 * Why a server stopped, as passed to its `@Terminate` handler and to its supervisor.
 *
 * - `'normal'`: it was asked to stop (or stopped itself) with nothing wrong;
 * - `'shutdown'`: its supervisor or the application is shutting down;
 * - `'killed'`: it did not stop within its shutdown timeout (its `@Terminate` never runs);
 * - {@link CrashReason}: a handler, `@Init` or the factory threw.
 *
 * As in OTP, `'normal'` and `'shutdown'` are normal exits: a `transient` server is not restarted after one.
 */
export type ExitReason = 'normal' | 'shutdown' | 'killed' | CrashReason;

/** The reason carried by a crash: the error and what the server was doing when it was thrown. */
export interface CrashReason {
  readonly kind: 'crash';
  /** What was thrown. */
  readonly error: unknown;
  /** What the server was doing, e.g. `call 'increment'` or `init`. */
  readonly during: string;
}

/** True for `'normal'` and `'shutdown'`, the exits after which a transient server is not restarted. */
export function isNormalExit(reason: ExitReason): boolean {
  return reason === 'normal' || reason === 'shutdown';
}

/** A one-line description of an exit reason, for logs and error messages. */
export function describeExit(reason: ExitReason): string {
  if (typeof reason === 'string') return reason;
  return `crashed during ${reason.during}: ${describeError(reason.error)}`;
}

/** A one-line description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}
