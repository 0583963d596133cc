import type { Type } from '@nestjs/common';
import type { RestartType } from '../runtime/server-spec.js';
import type { BackoffOptions } from '../runtime/backoff.js';
import type { RestartStrategy } from '../runtime/supervisor.js';

/**
 * A child listed with overrides (an OTP child spec): where this supervisor lists it, `restart` and
 * `shutdownTimeout` replace what the child declares itself (`@GenServer({ restart, shutdownTimeout })`
 * or `@Supervised({ restart, shutdownTimeout })`).
 *
 * @example
 * children: [DbConnection, { child: Cache, restart: 'transient', shutdownTimeout: 1000 }]
 */
export interface SupervisedChildSpec {
  /** A `@GenServer` class or another `@Supervised` class, provided in some module. */
  child: Type<object>;
  /** When the child is restarted under this supervisor (default: the child's own restart type). */
  restart?: RestartType;
  /** How long stopping the child may take, in ms, before it is killed (default: the child's own). */
  shutdownTimeout?: number;
}

/** Options of {@link Supervised}. Every duration is in milliseconds and runs on the module's clock. */
export interface SupervisedOptions {
  /**
   * The children, in start order: `@GenServer` classes, other `@Supervised` classes (nesting to any
   * depth), or {@link SupervisedChildSpec}s of them. Each must be provided in some module, and be listed
   * by one supervisor only. They start in this order at bootstrap and stop in reverse order.
   */
  children: ReadonlyArray<Type<object> | SupervisedChildSpec>;
  /** What is restarted when a child exits (default `one_for_one`). */
  strategy?: RestartStrategy;
  /** Restarts allowed within `withinMs` before this supervisor gives up and escalates (default 3). */
  maxRestarts?: number;
  /** The window for `maxRestarts`, in ms (default 5000). */
  withinMs?: number;
  /** Name used in logs, errors and snapshots (default: the class name). */
  name?: string;
  /** As a child of its own supervisor: when it is restarted (default `permanent`). */
  restart?: RestartType;
  /**
   * As a child: how long stopping this whole subtree may take (default `Infinity`: it waits for its
   * children, each bounded by its own shutdown timeout). When it runs out, whatever still runs in the
   * subtree is killed without `@Terminate`.
   */
  shutdownTimeout?: number;
  /** Wait between restarts of a child, growing exponentially (default: restart at once). */
  backoff?: BackoffOptions;
}
