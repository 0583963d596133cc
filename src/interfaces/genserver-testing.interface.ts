import type { Type } from '@nestjs/common';
import type { Clock } from '../runtime/clock.js';
import type { LifecycleListener } from '../runtime/lifecycle-event.js';

/**
 * Which parts of the supervision tree start at bootstrap: everything (`'all'`, the default), no server
 * or `@Supervised` class (`'none'`), or the listed classes — each with its whole subtree, under the
 * supervisors that list it (which start with only those children). Dynamic supervisors, agents and task
 * supervisors always start: they run nothing until used.
 */
export type GenServerStartSelection = 'all' | 'none' | readonly Type<object>[];

/**
 * What `nestjs-genserver/testing` changes in the runtime, through the `GENSERVER_TESTING` token.
 * Use `GenServerTesting.configure()` rather than providing this yourself.
 */
export interface GenServerTestingHooks {
  /** Replaces `forRoot`'s clock (the testing kit passes a `ManualClock`). */
  readonly clock?: Clock;
  /** What starts at bootstrap (default `'all'`). */
  readonly start?: GenServerStartSelection;
  /**
   * GenServer classes answered by a test double: the server keeps its message names, aliases and
   * options (so callers keep their real call/cast path and timeouts), but every handler and hook calls
   * the double's method of the same name. Doubles have no periodic jobs, idle timeout or `SelfRef`.
   */
  readonly mocks?: ReadonlyMap<Type<object>, object>;
  /** Receives every lifecycle event of the tree, from the first `started`. */
  readonly events?: LifecycleListener;
}
