import type { Clock, TimerHandle } from './clock.js';
import { MinHeap } from './min-heap.js';

interface ManualTimer {
  due: number;
  seq: number;
  callback: (() => void) | undefined;
}

/**
 * A clock that only moves when told to. Timers fire in due order (ties in creation order) while
 * {@link ManualClock.advanceBy} or {@link ManualClock.advanceTo} runs, each seeing `now()` equal to its
 * own due time. Timers that fire start handlers asynchronously: await a turn of the event loop (or the
 * testing kit's harness) before asserting on what they did.
 *
 * @example
 * const clock = new ManualClock();
 * GenServerModule.forRoot({ clock });
 * // ...
 * clock.advanceBy(5_000); // fires the call timeout
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new MinHeap<ManualTimer>(earlier);

  /** @param start the initial time, as epoch milliseconds or a Date (default 2026-01-01T00:00:00Z). */
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  /** How many timers are waiting to fire. */
  get pendingTimers(): number {
    let n = 0;
    this.timers.forEach((t) => {
      if (t.callback) n++;
    });
    return n;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: ManualTimer = { due: this.current + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as ManualTimer).callback = undefined;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advanceBy(ms: number): void {
    if (!(ms >= 0))
      throw new RangeError(`ManualClock.advanceBy expects a non-negative number of ms, got ${ms}`);
    this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `time` (epoch ms or Date), firing every timer due until then. */
  advanceTo(time: number | Date): void {
    const target = typeof time === 'number' ? time : time.getTime();
    if (target < this.current) {
      throw new RangeError(`ManualClock cannot go back in time (now ${this.current}, asked ${target})`);
    }
    for (;;) {
      const next = this.timers.peek();
      if (next === undefined || next.due > target) break;
      this.timers.pop();
      const callback = next.callback;
      if (callback === undefined) continue;
      next.callback = undefined;
      this.current = next.due;
      callback();
    }
    this.current = target;
  }
}

function earlier(a: ManualTimer, b: ManualTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
