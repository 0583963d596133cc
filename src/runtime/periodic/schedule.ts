import { Cron } from 'croner';
import { formatDuration } from './duration.js';

/** How a periodic job's ticks are placed in time. */
export type PeriodicMode = 'fixed-rate' | 'fixed-delay' | 'aligned' | 'cron';

/**
 * Where the ticks of a periodic job fall. Every mode but fixed delay is a fixed sequence of instants
 * that never depends on when the work ended, so there is nothing to drift.
 */
export interface Schedule {
  readonly mode: PeriodicMode;
  /** The period in ms; undefined for cron. */
  readonly periodMs: number | undefined;
  /**
   * The first tick strictly after `time`, for a job whose schedule started at `anchor` (fixed rate
   * counts from its anchor; the other modes ignore it).
   */
  nextAfter(time: number, anchor: number): number;
  /** Ticks in `(from, to]` (at most `limit`): the ticks a stalled event loop missed. */
  countBetween(from: number, to: number, anchor: number, limit: number): number;
  /** A short human description (`every 10m, fixed rate`), for snapshots and logs. */
  describe(): string;
}

/** Ticks at `origin + n·period`: fixed rate (origin = the job's start) and aligned (origin = offset). */
class GridSchedule implements Schedule {
  constructor(
    readonly mode: 'fixed-rate' | 'aligned',
    readonly periodMs: number,
    private readonly offsetMs: number,
  ) {}

  nextAfter(time: number, anchor: number): number {
    const origin = this.mode === 'aligned' ? this.offsetMs : anchor;
    const steps = Math.floor((time - origin) / this.periodMs) + 1;
    return origin + steps * this.periodMs;
  }

  countBetween(from: number, to: number, anchor: number, limit: number): number {
    if (to <= from) return 0;
    const origin = this.mode === 'aligned' ? this.offsetMs : anchor;
    return Math.min(
      limit,
      Math.floor((to - origin) / this.periodMs) - Math.floor((from - origin) / this.periodMs),
    );
  }

  describe(): string {
    const every = `every ${formatDuration(this.periodMs)}`;
    if (this.mode === 'fixed-rate') return `${every}, fixed rate`;
    return this.offsetMs === 0 ? `${every}, aligned` : `${every}, aligned +${formatDuration(this.offsetMs)}`;
  }
}

/** The next tick `period` after the previous run finished: only `nextAfter(end)` is meaningful. */
class DelaySchedule implements Schedule {
  readonly mode = 'fixed-delay' as const;

  constructor(readonly periodMs: number) {}

  nextAfter(time: number): number {
    return time + this.periodMs;
  }

  countBetween(): number {
    return 0; // a fixed delay has no grid to fall behind
  }

  describe(): string {
    return `every ${formatDuration(this.periodMs)}, fixed delay`;
  }
}

/** A cron expression in a time zone (croner: 5 or 6 fields, DST-aware). */
class CronSchedule implements Schedule {
  readonly mode = 'cron' as const;
  readonly periodMs = undefined;
  private readonly cron: Cron;

  constructor(
    private readonly expression: string,
    private readonly timeZone: string | undefined,
  ) {
    this.cron = new Cron(expression, {
      paused: true,
      ...(timeZone !== undefined ? { timezone: timeZone } : {}),
    });
    if (this.cron.nextRun(new Date(0)) === null && this.cron.nextRun() === null) {
      throw new RangeError(`cron '${expression}' never fires`);
    }
  }

  nextAfter(time: number): number {
    const next = this.cron.nextRun(new Date(time));
    return next === null ? Infinity : next.getTime();
  }

  countBetween(from: number, to: number, _anchor: number, limit: number): number {
    let n = 0;
    for (let t = this.nextAfter(from); t <= to && n < limit; t = this.nextAfter(t)) n++;
    return n;
  }

  describe(): string {
    return `cron '${this.expression}'${this.timeZone !== undefined ? ` (${this.timeZone})` : ''}`;
  }
}

/** Ticks every `periodMs` from the job's start, whatever each run takes. */
export function fixedRate(periodMs: number): Schedule {
  return new GridSchedule('fixed-rate', positive(periodMs), 0);
}

/** Ticks `periodMs` after the previous run finished. */
export function fixedDelay(periodMs: number): Schedule {
  return new DelaySchedule(positive(periodMs));
}

/**
 * Ticks at wall-clock multiples of `periodMs` since the Unix epoch (UTC), plus `offsetMs`: `'1h'` is
 * every hour on the hour, `'10m'` at :00, :10, … For local-time alignment (daily at midnight in a time
 * zone), use cron.
 */
export function aligned(periodMs: number, offsetMs = 0): Schedule {
  const period = positive(periodMs);
  if (!(offsetMs >= 0 && offsetMs < period)) {
    throw new RangeError(`offset must be >= 0 and shorter than the period (${period} ms), got ${offsetMs}`);
  }
  return new GridSchedule('aligned', period, offsetMs);
}

/**
 * Ticks when the cron expression matches, in `timeZone` (an IANA name; default the process's zone).
 * Throws a RangeError for an invalid expression or unknown time zone.
 */
export function cron(expression: string, timeZone?: string): Schedule {
  if (timeZone !== undefined) checkTimeZone(timeZone);
  try {
    return new CronSchedule(expression, timeZone);
  } catch (error) {
    throw new RangeError(`invalid cron expression '${expression}': ${(error as Error).message}`);
  }
}

function positive(periodMs: number): number {
  if (Number.isFinite(periodMs) && periodMs > 0) return periodMs;
  throw new RangeError(`the period must be > 0 ms, got ${periodMs}`);
}

function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new RangeError(`unknown time zone '${timeZone}' (expected an IANA name like 'Europe/Prague')`);
  }
}
