import type { Clock, TimerHandle } from './clock.js';

/** At most one report (event and log line) per server per this many ms while its mailbox overflows. */
export const OVERFLOW_REPORT_INTERVAL_MS = 1000;

/**
 * Counts what a bounded mailbox refused or dropped, and reports it without flooding: the first overflow
 * after a quiet interval is reported at once, later ones together at most once per
 * {@link OVERFLOW_REPORT_INTERVAL_MS}, and what is still unreported when the server stops is reported
 * then. Made on a server's first overflow, so a server whose mailbox never fills pays nothing.
 *
 * @internal
 */
export class MailboxOverflowCounter {
  /** Totals since the server was made. */
  refused = 0;
  dropped = 0;
  private unreportedRefused = 0;
  private unreportedDropped = 0;
  private timer: TimerHandle | undefined;
  private readonly due = (): void => {
    this.timer = undefined;
    if (this.unreportedRefused + this.unreportedDropped > 0) this.reportNow();
  };

  constructor(
    private readonly clock: Clock,
    private readonly report: (refused: number, dropped: number) => void,
  ) {}

  refuse(): void {
    this.refused++;
    this.unreportedRefused++;
    if (this.timer === undefined) this.reportNow();
  }

  drop(): void {
    this.dropped++;
    this.unreportedDropped++;
    if (this.timer === undefined) this.reportNow();
  }

  /** The server stops (or its instance ends): report what is pending now and clear the timer. */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (this.unreportedRefused + this.unreportedDropped > 0)
      this.report(this.takeRefused(), this.takeDropped());
  }

  /** Reports now and opens a window in which further overflows wait for the next report. */
  private reportNow(): void {
    this.timer = this.clock.setTimer(this.due, OVERFLOW_REPORT_INTERVAL_MS);
    this.report(this.takeRefused(), this.takeDropped());
  }

  private takeRefused(): number {
    const n = this.unreportedRefused;
    this.unreportedRefused = 0;
    return n;
  }

  private takeDropped(): number {
    const n = this.unreportedDropped;
    this.unreportedDropped = 0;
    return n;
  }
}
