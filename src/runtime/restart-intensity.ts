/**
 * Counts restarts in a sliding window (OTP's intensity and period): more than `maxRestarts` within
 * `withinMs` and the supervisor must give up.
 */
export class RestartIntensity {
  private readonly times: number[] = [];

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
    if (times.length >= this.maxRestarts) return false;
    times.push(now);
    return true;
  }

  /** Restarts recorded within the window ending at `now`. */
  recent(now: number): number {
    let n = 0;
    for (const at of this.times) if (now - at < this.withinMs) n++;
    return n;
  }

  reset(): void {
    this.times.length = 0;
  }
}
