import { setImmediate } from 'node:timers';
import type { Clock, TimerHandle, WorkObserver } from './clock.js';
import { MinHeap } from './min-heap.js';

interface ManualTimer {
  due: number;
  seq: number;
  callback: (() => void) | undefined;
}

/** Event-loop turns with no server making progress after which {@link ManualClock.settle} gives up waiting. */
const PATIENCE = 20;

/**
 * One real event-loop turn. `setImmediate` comes from `node:timers`, not the global that fake timers
 * (`jest.useFakeTimers()`, enabled globally in many suites) replace: with a faked one, waiting for the
 * servers would hang until something advanced the fake clock.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock that only moves when told to. Timers fire in due order (ties in creation order), each seeing
 * `now()` equal to its own due time.
 *
 * - {@link ManualClock.advanceBy} / {@link ManualClock.advanceTo} fire timers synchronously; the handlers
 *   they trigger run afterwards (await {@link ManualClock.settle}).
 * - {@link ManualClock.advanceByAsync} / {@link ManualClock.advanceToAsync} wait after each firing until
 *   the servers on this clock have handled what it triggered, so work that schedules more work (a
 *   fixed-delay tick, a `sendAfter` from a handler) runs in order within one advance.
 * - {@link ManualClock.stall} simulates a blocked event loop: time jumps and overdue timers fire late.
 *
 * @example
 * const clock = new ManualClock();
 * GenServerModule.forRoot({ clock });
 * // ...
 * await clock.advanceByAsync(60 * 60_000); // an hour of ticks, each handled before the next fires
 */
export class ManualClock implements Clock, WorkObserver {
  private current: number;
  private seq = 0;
  private readonly timers = new MinHeap<ManualTimer>(earlier);
  private busy = 0;
  private progress = 0;

  /** @param start the initial time, as epoch milliseconds or a Date (default 2026-01-01T00:00:00Z). */
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  /** @internal Servers on this clock report their work here. */
  get work(): WorkObserver {
    return this;
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

  /**
   * Servers on this clock with work under way: messages they can handle now, or a handler still
   * running (waiting on a promise). 0 means every server is idle or waits for time to move.
   */
  get busyServers(): number {
    return this.busy;
  }

  /** When the next timer is due (epoch ms), or undefined if none is pending. */
  get nextTimerAt(): number | undefined {
    let next: number | undefined;
    this.timers.forEach((t) => {
      if (t.callback && (next === undefined || t.due < next)) next = t.due;
    });
    return next;
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
    this.advanceTo(this.current + checkStep(ms, 'advanceBy'));
  }

  /**
   * Moves time forward to `time` (epoch ms or Date), firing every timer due until then. Called from a
   * handler, it models work that takes that long: timers due meanwhile fire, in order.
   */
  advanceTo(time: number | Date): void {
    const target = this.target(time);
    for (let next = this.due(target); next !== undefined; next = this.due(target)) {
      this.current = Math.max(this.current, next.due);
      const callback = next.callback as () => void;
      next.callback = undefined;
      callback();
    }
    this.current = Math.max(this.current, target);
  }

  /**
   * Like {@link advanceBy}, but after each timer fires it waits (see {@link settle}) for the servers to
   * handle what it triggered before firing the next, then once more at the end.
   */
  advanceByAsync(ms: number): Promise<void> {
    return this.advanceToAsync(this.current + checkStep(ms, 'advanceByAsync'));
  }

  /** Like {@link advanceTo}, waiting for triggered handlers after each timer (see {@link advanceByAsync}). */
  async advanceToAsync(time: number | Date): Promise<void> {
    const target = this.target(time);
    await this.settle();
    for (let next = this.due(target); next !== undefined; next = this.due(target)) {
      this.current = Math.max(this.current, next.due);
      const callback = next.callback as () => void;
      next.callback = undefined;
      callback();
      await this.settle();
    }
    this.current = Math.max(this.current, target);
    await this.settle();
  }

  /**
   * Simulates an event loop blocked for `ms`: time jumps by `ms` without firing anything, then every
   * timer that fell due meanwhile fires late, in due order, all seeing the new time — what a long
   * synchronous computation or a paused debugger does to real timers.
   */
  stall(ms: number): void {
    this.current += checkStep(ms, 'stall');
    this.advanceTo(this.current);
  }

  /**
   * Resolves once no server on this clock has messages to handle or a handler running — or once one
   * that does has made no progress for a few event-loop turns (it waits on this clock, which only
   * moves when told, or on real I/O). Uses no wall-clock time.
   */
  async settle(): Promise<void> {
    let seen = -1;
    let still = 0;
    while (this.busy > 0 && still < PATIENCE) {
      await nextTurn();
      if (this.progress === seen) still++;
      else {
        seen = this.progress;
        still = 0;
      }
    }
    // Let reactions to the last handler (a caller's `await`) run too.
    await nextTurn();
  }

  /** @internal */
  started(): void {
    this.busy++;
    this.progress++;
  }

  /** @internal */
  progressed(): void {
    this.progress++;
  }

  /** @internal */
  ended(): void {
    this.busy--;
    this.progress++;
  }

  private target(time: number | Date): number {
    const target = typeof time === 'number' ? time : time.getTime();
    if (target < this.current) {
      throw new RangeError(`ManualClock cannot go back in time (now ${this.current}, asked ${target})`);
    }
    return target;
  }

  /** Pops the next live timer due by `target`. */
  private due(target: number): ManualTimer | undefined {
    for (;;) {
      const next = this.timers.peek();
      if (next === undefined || next.due > target) return undefined;
      this.timers.pop();
      if (next.callback !== undefined) return next;
    }
  }
}

function checkStep(ms: number, method: string): number {
  if (ms >= 0) return ms;
  throw new RangeError(`ManualClock.${method} expects a non-negative number of ms, got ${ms}`);
}

function earlier(a: ManualTimer, b: ManualTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
