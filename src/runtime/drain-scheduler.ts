import { setImmediate } from 'node:timers';
import { microtask } from './microtask.js';
import { RingQueue } from './ring-queue.js';

/** Messages handled back to back before yielding to the event loop, so busy servers cannot starve I/O. */
export const SLICE = 1024;

/** A process whose mailbox has messages and no handler running. */
export interface Drainable {
  /** Called by the scheduler (`dequeued` true): handle queued messages while the slice lasts. */
  drain(dequeued: true): void;
}

/** Work done at the end of every run: call deadlines waiting for one clock reading. */
export interface Stampable {
  stamp(): void;
}

/**
 * One queue of processes waiting to drain their mailboxes, shared by the processes given the same
 * scheduler, instead of one microtask closure per process. It keeps a budget of messages per
 * event-loop turn: when a slice of {@link SLICE} messages has been handled it yields with
 * `setImmediate`, and a process that ran out of budget queues itself again at the back, so servers
 * that keep messaging each other share the thread fairly and never block I/O.
 *
 * The budget only spans the processes of one scheduler. The Nest module gives every process of an
 * application its own one; processes made with the runtime directly and no `scheduler` option share
 * {@link defaultScheduler}, as every process of a BEAM node shares its schedulers. Sharing is what
 * makes the budget work: a chain of messages that hops between schedulers empties each queue at every
 * hop, which refills its budget, so it never yields to I/O — and it is cheaper, with one microtask per
 * burst of messages however many servers they reach, instead of one per server. Separate schedulers keep
 * apart what must not meet — two applications in one process.
 *
 * The yield is not a timer of the application: it takes `setImmediate` from `node:timers`, not the global
 * that fake timers (`jest.useFakeTimers()`, Vitest's, `@sinonjs/fake-timers`) replace. With a faked one,
 * a burst of more than a slice would stop half-way until the test advanced the fake clock, and a call
 * queued behind it would hang; the real one lets the mailbox drain as it does in production.
 *
 * At the end of every run (before yielding, too) it stamps the call deadlines that asked for it with
 * {@link DrainScheduler.stampLater}, so no timer can fire before a waiting call has its deadline.
 */
export class DrainScheduler {
  /** @internal Messages that may still be handled before the next yield (read and spent by `drain`). */
  left = SLICE;
  private readonly queue = new RingQueue<Drainable>();
  /** A run is queued or under way (or, when `yielded`, waits for `setImmediate`). */
  private scheduled = false;
  private yielded = false;
  private readonly stamps: (Stampable | undefined)[] = [];
  private stampCount = 0;
  private readonly run = (): void => {
    const queue = this.queue;
    while (this.left > 0) {
      const next = queue.shift();
      if (next === undefined) {
        this.scheduled = false;
        this.left = SLICE;
        this.stampAll();
        return;
      }
      try {
        next.drain(true);
      } catch (error) {
        // Handlers' throws are crashes, handled inside drain; only a throwing logger or listener gets
        // here. Keep the other servers running rather than leave the scheduler stuck.
        console.error('nestjs-genserver: a server failed while handling its mailbox', error);
      }
    }
    this.yielded = true;
    setImmediate(this.resume);
    this.stampAll();
  };
  private readonly resume = (): void => {
    this.yielded = false;
    this.left = SLICE;
    this.run();
  };

  /** @internal Queues `process` to drain in the current run, or in one queued now. */
  schedule(process: Drainable): void {
    this.queue.push(process);
    if (!this.scheduled) {
      this.scheduled = true;
      microtask(this.run);
    }
  }

  /**
   * @internal Calls `target.stamp()` at the end of the current run, or of one queued now; that is
   * still within the current microtask checkpoint. False while yielded: the next run is a macrotask
   * away, so the caller must stamp at once.
   */
  stampLater(target: Stampable): boolean {
    if (this.yielded) return false;
    this.stamps[this.stampCount++] = target;
    if (!this.scheduled) {
      this.scheduled = true;
      microtask(this.run);
    }
    return true;
  }

  private stampAll(): void {
    const stamps = this.stamps;
    for (let i = 0; i < this.stampCount; i++) {
      (stamps[i] as Stampable).stamp();
      stamps[i] = undefined;
    }
    this.stampCount = 0;
  }
}

let runtimeScheduler: DrainScheduler | undefined;

/**
 * The scheduler of the processes, supervisors and agents made without a `scheduler` option: one per
 * loaded runtime, made on first use. It holds nothing between runs — its queue is empty whenever no
 * server has messages waiting — so sharing it is no shared state between the servers, only a shared
 * turn of the event loop.
 */
export function defaultScheduler(): DrainScheduler {
  return (runtimeScheduler ??= new DrainScheduler());
}
