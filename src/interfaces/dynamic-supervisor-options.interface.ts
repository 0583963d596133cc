/** Options of {@link GenServerModule.forDynamic}. Every duration is in ms on the module's clock. */
export interface DynamicSupervisorModuleOptions {
  /** Name in logs and snapshots (default `<Server>Supervisor`). */
  name?: string;
  /** Children allowed at once (default unlimited); `startChild` beyond it rejects with `MaxChildrenError`. */
  maxChildren?: number;
  /** A child that got no message for this long is stopped, running its `@Terminate` (default: never). */
  idleTimeout?: number;
  /** Restarts allowed within `withinMs`, counted over all children, before it gives up (default 3). */
  maxRestarts?: number;
  /** The window for `maxRestarts` (default 5000). */
  withinMs?: number;
}
