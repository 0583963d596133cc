/** An opaque handle returned by {@link Clock.setTimer}. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * The source of time for every timer in the runtime: call timeouts, init and shutdown deadlines and,
 * later, periodic ticks. Production uses {@link SystemClock}; tests use {@link ManualClock} to move
 * time deterministically.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once, `delayMs` from now. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; a no-op for one that already fired or was cleared. */
  clearTimer(handle: TimerHandle): void;
}
