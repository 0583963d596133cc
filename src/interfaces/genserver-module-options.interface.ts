import type { FactoryProvider, ModuleMetadata, Type } from '@nestjs/common';
import type { Clock } from '../runtime/clock.js';
import type { BackoffOptions } from '../runtime/backoff.js';
import type { RestartStrategy } from '../runtime/supervisor.js';

/** Options of {@link GenServerModule.forRoot}. */
export interface GenServerModuleOptions {
  /** Default call timeout for every server, in ms (default 5000). */
  callTimeout?: number;
  /** Default time a server has to drain and run `@Terminate` at shutdown, in ms (default 5000). */
  shutdownTimeout?: number;
  /** Handle messages already queued when the app closes (default true); false refuses them. */
  drainOnShutdown?: boolean;
  /** What the root supervisor restarts when a server exits (default `one_for_one`). */
  strategy?: RestartStrategy;
  /** Restarts the root supervisor allows within `withinMs` before it gives up (default 3). */
  maxRestarts?: number;
  /** The window for `maxRestarts`, in ms (default 5000). */
  withinMs?: number;
  /** Wait between the root's restarts of a child, growing exponentially (default: restart at once). */
  backoff?: BackoffOptions;
  /**
   * What happens when the root supervisor gives up (its restart limit is exceeded); either way its
   * servers are stopped and `GenServerRuntime.healthy` turns false.
   * - `keep-serving` (default): log an error and keep the app running, unhealthy, so it still serves what
   *   does not need the stopped servers (and a health check can report it);
   * - `shutdown`: close the app cleanly, as a process manager's SIGTERM would (every teardown hook runs,
   *   then the process exits), so the orchestrator restarts it. Needs `app.enableShutdownHooks()`;
   *   without it an error is logged and the app keeps serving.
   */
  rootGiveUp?: 'keep-serving' | 'shutdown';
  /** The clock behind every timer; pass a `ManualClock` in tests (default: the system clock). */
  clock?: Clock;
  /**
   * Random numbers in [0, 1) for periodic jitter (default `Math.random`); pass a seeded generator to
   * make jittered ticks repeatable in tests.
   */
  random?: () => number;
}

/** Implemented by a class given to `forRootAsync({ useClass })`. */
export interface GenServerOptionsFactory {
  createGenServerOptions(): GenServerModuleOptions | Promise<GenServerModuleOptions>;
}

/** Options of {@link GenServerModule.forRootAsync}: exactly one of `useFactory`, `useClass`, `useExisting`. */
export interface GenServerModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => GenServerModuleOptions | Promise<GenServerModuleOptions>;
  /** Providers passed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
  useClass?: Type<GenServerOptionsFactory>;
  useExisting?: Type<GenServerOptionsFactory>;
}
