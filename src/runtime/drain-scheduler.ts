import { RingQueue } from './ring-queue.js';

/** Messages handled back to back before yielding to the event loop, so busy servers cannot starve I/O. */
export const SLICE = 1024;

// Runs are queued as reactions of one settled promise rather than with `queueMicrotask`: Node's
// `queueMicrotask` wraps every callback in a new AsyncResource and a bound function, which costs more
// than the whole of a small call. Same microtask queue, same order.
const settled = Promise.resolve();

/** A process whose mailbox has messages and no handler running. */
export interface Drainable {
  /** Called by the scheduler: handle queued messages while the slice lasts. */
  runScheduled(): void;
}

/**
 * One queue of processes waiting to drain their mailboxes, shared by every process, instead of one
 * microtask closure per process. It keeps a budget of messages per event-loop turn: when a slice of
 * {@link SLICE} messages has been handled it yields with `setImmediate`, and a process that ran out of
 * budget queues itself again at the back, so servers that keep messaging each other share the thread
 * fairly and never block I/O.
 */
class DrainScheduler {
  /** Messages that may still be handled before the next yield. */
  left = SLICE;
  private readonly queue = new RingQueue<Drainable>();
  private scheduled = false;
  private readonly run = (): void => {
    const queue = this.queue;
    for (;;) {
      if (this.left <= 0) {
        setImmediate(this.resume);
        return;
      }
      const next = queue.shift();
      if (next === undefined) break;
      next.runScheduled();
    }
    this.scheduled = false;
    this.left = SLICE;
  };
  private readonly resume = (): void => {
    this.left = SLICE;
    this.run();
  };

  schedule(process: Drainable): void {
    this.queue.push(process);
    if (!this.scheduled) {
      this.scheduled = true;
      void settled.then(this.run);
    }
  }
}

/** The scheduler shared by every process in this JavaScript realm. */
export const scheduler = new DrainScheduler();
