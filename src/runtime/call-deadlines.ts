import type { Clock, TimerHandle } from './clock.js';
import { MinHeap } from './min-heap.js';
import { RingQueue } from './ring-queue.js';

/** What the tracker needs to know about a pending call. */
export interface Deadlined {
  readonly deadline: number;
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
 */
export class CallDeadlines<E extends Deadlined> {
  private readonly inOrder = new RingQueue<E>();
  private readonly outOfOrder = new MinHeap<E>((a, b) => a.deadline < b.deadline);
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private readonly fire = (): void => this.expire();

  constructor(
    private readonly clock: Clock,
    private readonly onExpired: (entry: E) => void,
  ) {}

  /** Starts watching a call's deadline. */
  track(entry: E): void {
    const last = this.inOrder.peekLast();
    if (last === undefined || last.deadline <= entry.deadline) this.inOrder.push(entry);
    else this.outOfOrder.push(entry);
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /**
   * Forgets settled calls at the front; call after a reply so answered calls do not pile up. The timer
   * stays armed even when nothing is pending: disarming and re-arming around every call would cost a
   * setTimeout/clearTimeout pair per call, while a timer that fires with nothing due costs one no-op.
   */
  release(): void {
    let front = this.inOrder.peek();
    while (front !== undefined && front.settled) {
      this.inOrder.shift();
      front = this.inOrder.peek();
    }
  }

  /** Stops the timer and forgets every call (they were all settled by the caller). */
  clear(): void {
    this.inOrder.drain(noop);
    this.outOfOrder.clear();
    this.disarm();
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.now();
    for (;;) {
      const front = this.inOrder.peek();
      if (front === undefined || (!front.settled && front.deadline > now)) break;
      this.inOrder.shift();
      if (!front.settled) this.onExpired(front);
    }
    for (;;) {
      const top = this.outOfOrder.peek();
      if (top === undefined || (!top.settled && top.deadline > now)) break;
      this.outOfOrder.pop();
      if (!top.settled) this.onExpired(top);
    }
    const next = Math.min(
      this.inOrder.peek()?.deadline ?? Infinity,
      this.outOfOrder.peek()?.deadline ?? Infinity,
    );
    if (next !== Infinity) this.arm(next);
  }

  private arm(deadline: number): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.armedFor = deadline;
    this.timer = this.clock.setTimer(this.fire, deadline - this.clock.now());
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }
}

function noop(): void {}
