import type { Clock, TimerHandle } from './clock.js';
import type { DrainScheduler } from './drain-scheduler.js';
import { MinHeap } from './min-heap.js';
import { RingQueue } from './ring-queue.js';
import { SystemClock } from './system-clock.js';

/** What the tracker needs to know about a pending call. */
export interface Deadlined {
  /** Set by the tracker: when the call times out, in clock ms. */
  deadline: number;
  readonly timeoutMs: number;
  readonly settled: boolean;
}

/**
 * Times out pending calls with a single clock timer per process instead of one timer per call.
 *
 * Calls that share a timeout arrive with non-decreasing deadlines, so they go in a FIFO and the earliest
 * deadline is always at its front; a call with an earlier deadline than the last one (a shorter per-call
 * timeout) goes in a small heap. Replies come back in mailbox order, so a settled call is usually at the
 * front and {@link CallDeadlines.release} drops it in O(1). The timer is armed for the earliest deadline;
 * when it fires early (that call was answered) it simply re-arms for the next one.
 *
 * With the system clock, reading the time (`Date.now()`, about as costly as a whole small call) is not
 * done per call: calls are stamped together, with one reading, at the end of the drain scheduler's run
 * that follows them in the same microtask checkpoint — before any timer can fire, and only for the calls
 * still waiting by then, so a call answered within the run never touches the clock or the FIFO. A call's
 * timeout thus counts from the end of that run (right after the synchronous code that made the call and
 * the messages handled with it, at most one slice), never from earlier. While the scheduler has yielded
 * to the event loop, and with any other clock (a ManualClock, a custom one), the clock is read at the
 * call itself, so tests stay exactly deterministic.
 */
export class CallDeadlines<E extends Deadlined> {
  private inOrder: RingQueue<E> | undefined;
  private outOfOrder: MinHeap<E> | undefined;
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private fire: (() => void) | undefined;
  /**
   * The scheduler whose runs stamp calls in batches (see above); undefined unless the clock is the
   * system clock. It doubles as that flag, so a process's tracker has no extra field for it.
   */
  private readonly batcher: DrainScheduler | undefined;
  /** Calls waiting for their deadline, stamped by {@link CallDeadlines.stamp}. */
  private unstamped: (E | undefined)[] | undefined;
  private unstampedCount = 0;

  /**
   * @param scheduler the owner's drain scheduler, whose run's end stamps batched calls
   * @param onExpired called with a call whose deadline passed, and `owner`
   * @param owner passed back to `onExpired` (the server's name), so one shared function serves all
   */
  constructor(
    private readonly clock: Clock,
    scheduler: DrainScheduler,
    private readonly onExpired: (entry: E, owner: string) => void,
    private readonly owner: string,
  ) {
    this.batcher = clock instanceof SystemClock ? scheduler : undefined;
  }

  /** Starts watching a call's deadline: `timeoutMs` from now (or from the end of this run, see above). */
  track(entry: E): void {
    const batcher = this.batcher;
    if (batcher !== undefined && (this.unstampedCount > 0 || batcher.stampLater(this))) {
      (this.unstamped ??= [])[this.unstampedCount++] = entry;
      return;
    }
    const now = this.clock.now();
    entry.deadline = now + entry.timeoutMs;
    this.insert(entry, now);
  }

  /** @internal Called by the scheduler at the end of a run: gives the waiting calls their deadlines. */
  stamp(): void {
    const list = this.unstamped;
    const count = this.unstampedCount;
    if (list === undefined || count === 0) return;
    this.unstampedCount = 0;
    let now = NaN;
    for (let i = 0; i < count; i++) {
      const entry = list[i] as E;
      list[i] = undefined;
      if (entry.settled) continue;
      if (now !== now) now = this.clock.now(); // read once, and only if a call still waits
      entry.deadline = now + entry.timeoutMs;
      this.insert(entry, now);
    }
  }

  /**
   * Forgets settled calls at the front; call after a reply so answered calls do not pile up. The timer
   * stays armed even when nothing is pending: disarming and re-arming around every call would cost a
   * setTimeout/clearTimeout pair per call, while a timer that fires with nothing due costs one no-op.
   */
  release(): void {
    const inOrder = this.inOrder;
    if (inOrder === undefined) return;
    let front = inOrder.peek();
    while (front !== undefined && front.settled) {
      inOrder.shift();
      front = inOrder.peek();
    }
  }

  /** Stops the timer and forgets every call (they were all settled by the caller). */
  clear(): void {
    this.inOrder?.drain(noop);
    this.outOfOrder?.clear();
    const list = this.unstamped;
    if (list !== undefined) list.fill(undefined, 0, this.unstampedCount);
    this.unstampedCount = 0;
    this.disarm();
  }

  private insert(entry: E, now: number): void {
    const inOrder = (this.inOrder ??= new RingQueue<E>());
    const last = inOrder.peekLast();
    if (last === undefined || last.deadline <= entry.deadline) inOrder.push(entry);
    else (this.outOfOrder ??= new MinHeap<E>(earlier)).push(entry);
    if (entry.deadline < this.armedFor) this.arm(entry.deadline, now);
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.now();
    const inOrder = this.inOrder as RingQueue<E>;
    for (;;) {
      const front = inOrder.peek();
      if (front === undefined || (!front.settled && front.deadline > now)) break;
      inOrder.shift();
      if (!front.settled) this.onExpired(front, this.owner);
    }
    const outOfOrder = this.outOfOrder;
    if (outOfOrder !== undefined) {
      for (;;) {
        const top = outOfOrder.peek();
        if (top === undefined || (!top.settled && top.deadline > now)) break;
        outOfOrder.pop();
        if (!top.settled) this.onExpired(top, this.owner);
      }
    }
    const next = Math.min(inOrder.peek()?.deadline ?? Infinity, outOfOrder?.peek()?.deadline ?? Infinity);
    if (next !== Infinity) this.arm(next, now);
  }

  private arm(deadline: number, now: number): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.armedFor = deadline;
    this.timer = this.clock.setTimer((this.fire ??= () => this.expire()), deadline - now);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }
}

function earlier(a: Deadlined, b: Deadlined): boolean {
  return a.deadline < b.deadline;
}

function noop(): void {}
