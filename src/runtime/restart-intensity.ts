import { RestartLimitError } from './errors/restart-limit.error.js';

/**
 * Counts restarts in a sliding window (OTP's intensity and period): more than `maxRestarts` within
 * `withinMs` and the supervisor must give up.
 */
export class RestartIntensity {
  /** When each restart in the window happened, in the order recorded (oldest first unless the clock went back). */
  private readonly times: number[] = [];
  /** False once the clock went back (a later restart recorded at an earlier time). */
  private sorted = true;

  constructor(
    readonly maxRestarts: number,
    readonly withinMs: number,
    owner: string,
  ) {
    if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
      throw new RangeError(`${owner}: maxRestarts must be an integer >= 0, got ${maxRestarts}`);
    }
    if (!(withinMs > 0)) {
      throw new RangeError(`${owner}: withinMs must be a number of ms > 0, got ${withinMs}`);
    }
  }

  /** Records a restart at `now`; false (and nothing recorded) if it would exceed the limit. */
  allow(now: number): boolean {
    const times = this.times;
    while (times.length > 0 && now - times[0] >= this.withinMs) times.shift();
    if (times.length === 0) this.sorted = true;
    if (times.length >= this.maxRestarts) return false;
    if (times.length > 0 && now < times[times.length - 1]) this.sorted = false;
    times.push(now);
    return true;
  }

  /** Restarts recorded within the window ending at `now`. */
  recent(now: number): number {
    const times = this.times;
    const withinMs = this.withinMs;
    if (!this.sorted) {
      let n = 0;
      for (const at of times) if (now - at < withinMs) n++;
      return n;
    }
    // Sorted: binary search for the oldest restart still in the window (a supervisor allowed many
    // restarts in its window would otherwise scan them all on every restart's log line).
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (now - times[mid] < withinMs) hi = mid;
      else lo = mid + 1;
    }
    return times.length - lo;
  }

  /** The error a supervisor exits with once {@link allow} said no: `child` exited one time too many. */
  exceeded(supervisor: string, child: string, exit: string): RestartLimitError {
    return new RestartLimitError(supervisor, child, this.maxRestarts, this.withinMs, exit);
  }

  reset(): void {
    this.times.length = 0;
    this.sorted = true;
  }
}
