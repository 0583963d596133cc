/** An opaque handle returned by {@link Clock.setTimer}. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * The source of time for every timer in the runtime: call timeouts, init and shutdown deadlines,
 * periodic ticks, send-after and idle timeouts. Production uses {@link SystemClock}; tests use
 * {@link ManualClock} to move time deterministically.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Runs `callback` once, `delayMs` from now. A `keepAlive` timer keeps Node running until it fires
   * (periodic ticks, send-after: the application's own work); others do not (timeouts, idle checks).
   */
  setTimer(callback: () => void, delayMs: number, keepAlive?: boolean): TimerHandle;
  /** Cancels a timer; a no-op for one that already fired or was cleared. */
  clearTimer(handle: TimerHandle): void;
  /**
   * Told when servers on this clock start and finish handling messages, so a test clock can wait for
   * the work its timers triggered. Optional: production clocks leave it out and pay nothing.
   */
  readonly work?: WorkObserver;
}

/** Receives the comings and goings of work on a clock (see {@link Clock.work}). */
export interface WorkObserver {
  /** A server has messages to handle (it was idle). */
  started(): void;
  /** A server finished an async handler and goes on. */
  progressed(): void;
  /** A server has nothing left to handle. */
  ended(): void;
}
