/**
 * Exponential backoff between restarts (as Akka's restart-with-backoff): the n-th consecutive restart
 * waits `min(maxMs, minMs · factor^(n-1))`, plus up to `jitter` of that at random. The count starts
 * again once the child (or task) has run `resetAfterMs` without exiting. Messages sent to a server while
 * it waits are queued for the new instance (calls still time out on their own timeout).
 */
export interface BackoffOptions {
  /** Delay before the first restart, in ms (> 0). */
  readonly minMs: number;
  /** The longest delay, in ms (>= minMs). */
  readonly maxMs: number;
  /** Growth per consecutive restart (default 2, >= 1). */
  readonly factor?: number;
  /** Random extra delay as a fraction of the delay, 0..1 (default 0). Spreads restarts of many children. */
  readonly jitter?: number;
  /** A child that ran this long since its last restart starts again from `minMs` (default `maxMs`). */
  readonly resetAfterMs?: number;
  /** Source of randomness for `jitter`, returning [0, 1) (default `Math.random`). */
  readonly random?: () => number;
}

/** Throws a RangeError naming `owner` and the bad field when `backoff` is not usable. */
export function checkBackoff(owner: string, backoff: BackoffOptions): void {
  const { minMs, maxMs, factor = 2, jitter = 0, resetAfterMs = maxMs } = backoff;
  const problem = !(Number.isFinite(minMs) && minMs > 0)
    ? `minMs must be a number of ms > 0, got ${minMs}`
    : !(Number.isFinite(maxMs) && maxMs >= minMs)
      ? `maxMs must be a number of ms >= minMs (${minMs}), got ${maxMs}`
      : !(Number.isFinite(factor) && factor >= 1)
        ? `factor must be a number >= 1, got ${factor}`
        : !(jitter >= 0 && jitter <= 1)
          ? `jitter must be a fraction between 0 and 1, got ${jitter}`
          : !(resetAfterMs > 0)
            ? `resetAfterMs must be a number of ms > 0, got ${resetAfterMs}`
            : undefined;
  if (problem !== undefined) throw new RangeError(`${owner}: backoff.${problem}`);
}

/**
 * The wait before a restart, `n` being the number of consecutive restarts before it (0 for the first):
 * `min(maxMs, minMs · factor^n)` plus `jitter` of that times a random fraction. `random` is used when
 * `backoff.random` is not set (default `Math.random`).
 */
export function backoffDelay(backoff: BackoffOptions, n: number, random?: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * (backoff.factor ?? 2) ** n);
  const jitter = backoff.jitter ?? 0;
  return jitter > 0 ? base + base * jitter * (backoff.random ?? random ?? Math.random)() : base;
}
