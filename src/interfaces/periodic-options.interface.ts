import type { FactoryProvider } from '@nestjs/common';
import type { Duration } from '../runtime/periodic/duration.js';
import type { OverlapPolicy } from '../runtime/periodic/periodic-job.js';

/**
 * When and how a `@Periodic` method runs. Give exactly one of `every` and `cron`. Durations are ms
 * numbers or strings like `'500ms'`, `'10s'`, `'10m'`, `'2h'`, `'1d'`, `'1h30m'`.
 */
export interface PeriodicOptions {
  /** The period (fixed rate, fixed delay or aligned). */
  every?: Duration;
  /**
   * - `fixed-rate` (default): ticks at start + n·every, whatever each run takes — no drift;
   * - `fixed-delay`: the next tick `every` after the previous run finished;
   * - `aligned`: ticks at wall-clock multiples of `every` (UTC) plus `offset` — every hour on the hour.
   */
  mode?: 'fixed-rate' | 'fixed-delay' | 'aligned';
  /** Shorthand for `mode: 'aligned'`. */
  align?: boolean;
  /** With `aligned`: shifts the ticks, e.g. `{ every: '1h', align: true, offset: '5m' }` runs at :05. */
  offset?: Duration;
  /** A cron expression (5 fields, or 6 with seconds first), e.g. `'0 3 * * *'`. */
  cron?: string;
  /** With `cron`: the IANA time zone it is read in (default: the process's), e.g. `'Europe/Prague'`. */
  timeZone?: string;
  /** Also run once as soon as the server is running, after every `@Init` (restarts included). */
  runOnInit?: boolean;
  /**
   * Delays each tick by a random amount up to this (never early; the schedule itself does not move):
   * a duration, or a percentage of the period such as `'10%'` (not with cron). Spreads the load of
   * many servers ticking at once.
   */
  jitter?: Duration;
  /**
   * A tick that comes while the previous run is still queued or running is `skip`ped and counted
   * (default), or `queue`d — at most one waits behind the running one.
   */
  overlap?: OverlapPolicy;
  /**
   * After the event loop stalled past several ticks, run every missed tick back to back instead of one
   * (default false: run one and count the rest as missed). Not with fixed delay.
   */
  catchUp?: boolean;
  /** False registers the job paused; `PeriodicRegistry.resume()` starts it (default true). */
  enabled?: boolean;
  /** The job's name within its server (default: the method's name). */
  name?: string;
  /**
   * `message` (default): each run is a message in the server's mailbox, serialized with its calls and
   * casts. `task`: each run starts as a supervised task on the default task supervisor — the method
   * receives an `AbortSignal` — so long work neither delays the schedule nor blocks the mailbox. The run
   * goes on beside the server's messages: read what it needs, and send results back with a cast rather
   * than changing fields. `overlap` applies to runs still in progress; a failing run is logged and
   * counted in `failures` but does not crash the server.
   */
  runAs?: 'message' | 'task';
}

/**
 * A schedule computed at bootstrap from providers, e.g. from configuration:
 *
 * @example
 * @Periodic({
 *   useFactory: (config: ConfigService) => ({ every: config.get('PRICE_SYNC_EVERY', '1h') }),
 *   inject: [ConfigService],
 * })
 */
export interface PeriodicFactoryOptions {
  useFactory: (...args: never[]) => PeriodicOptions | Promise<PeriodicOptions>;
  /** Providers passed to `useFactory`, in order (resolved from the server's module, or any module). */
  inject?: FactoryProvider['inject'];
}
