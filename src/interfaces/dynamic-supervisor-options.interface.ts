import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { Duration } from '../runtime/periodic/duration.js';

/** Options of {@link GenServerModule.forDynamic}. Every duration is in ms on the module's clock. */
export interface DynamicSupervisorModuleOptions {
  /** Name in logs and snapshots (default `<Server>Supervisor`). */
  name?: string;
  /** Children allowed at once (default unlimited); `startChild` beyond it rejects with `MaxChildrenError`. */
  maxChildren?: number;
  /**
   * A child that got no message for this long is stopped, running its `@Terminate` (default: never):
   * ms, or a duration such as `'30m'`.
   */
  idleTimeout?: Duration;
  /** Restarts allowed within `withinMs`, counted over all children, before it gives up (default 3). */
  maxRestarts?: number;
  /** The window for `maxRestarts` (default 5000). */
  withinMs?: number;
}

/**
 * Options of {@link GenServerModule.forDynamicAsync}: the supervisor's options from a factory with
 * injected providers (a `ConfigService`, an options class a test can override), resolved at bootstrap.
 */
export interface DynamicSupervisorModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => DynamicSupervisorModuleOptions | Promise<DynamicSupervisorModuleOptions>;
  /** Providers passed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
}
