import type { Clock, TimerHandle } from './clock.js';

/**
 * The wall clock. Timers are `unref`'d unless `keepAlive`: a pending call timeout never keeps Node
 * alive on its own, a periodic tick does (until its server stops).
 */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(callback: () => void, delayMs: number, keepAlive = false): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    if (!keepAlive) timer.unref();
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
