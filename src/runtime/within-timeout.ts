import type { Clock } from './clock.js';

/** Resolves true when `work` settles within `timeoutMs` on `clock`, false when the time runs out first. */
export function withinTimeout(work: Promise<unknown>, timeoutMs: number, clock: Clock): Promise<boolean> {
  if (timeoutMs === Infinity) return work.then(() => true);
  return new Promise((resolve) => {
    const timer = clock.setTimer(() => resolve(false), timeoutMs);
    void work.then(() => {
      clock.clearTimer(timer);
      resolve(true);
    });
  });
}
