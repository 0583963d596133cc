import type { Clock, TimerHandle } from './clock.js';

/**
 * The wall clock. Timers are `unref`'d: a pending call timeout never keeps Node alive on its own.
 */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
