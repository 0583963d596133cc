import type { RuntimeLogger } from './logger.js';

/** Shared by the runtime's specs (not part of the build). */

/** Lets every queued microtask and one macrotask turn run; no wall-clock time is involved. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A logger that drops everything. */
export const silent: RuntimeLogger = { debug() {}, log() {}, warn() {}, error() {} };

/** Lets the event loop turn until `done()` holds; fails after 100 turns. No wall-clock time is involved. */
export async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (done()) return;
    await turn();
  }
  throw new Error('condition not reached in 100 event-loop turns');
}
