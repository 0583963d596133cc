import type { Clock } from './clock.js';
import type { ExitReason } from './exit-reason.js';
import type { RuntimeLogger } from './logger.js';
import type { MailboxStats } from './server-spec.js';

/** What happened to a server or supervisor. */
export type LifecycleEventType = 'started' | 'crashed' | 'restarted' | 'gave_up' | 'stopped' | 'mailbox_full';

/**
 * One lifecycle event of the tree, as emitted to a {@link LifecycleListener}:
 * - `started`: first start finished (`@Init` done);
 * - `crashed`: a handler, `@Init` or the factory threw (after `@Terminate` ran);
 * - `restarted`: a fresh instance is running after an exit;
 * - `gave_up`: a supervisor exceeded its restart intensity (reason: a `RestartLimitError`), or its parent
 *   restarted it and a child did not come back;
 * - `stopped`: the exit is final (asked to stop, shutdown, killed, evicted, or not restarted);
 * - `mailbox_full`: a server's bounded mailbox refused or dropped messages (see `mailbox`); at most one
 *   per server per second while it overflows, the first at once.
 */
export interface LifecycleEvent {
  readonly type: LifecycleEventType;
  readonly kind: 'server' | 'supervisor';
  /** The server's or supervisor's name. */
  readonly name: string;
  /** The key of a dynamic child, when it has one. */
  readonly key?: string;
  /** When it happened, on the runtime's clock (epoch ms). */
  readonly at: number;
  /** Why it exited (`crashed`, `gave_up`, `stopped`). */
  readonly reason?: ExitReason;
  /** Restarts so far. */
  readonly restarts: number;
  /** `mailbox_full`: the bound, and what was refused and dropped since the server's previous one. */
  readonly mailbox?: MailboxStats;
}

/** Receives every lifecycle event; must not throw (a throw is logged and ignored). */
export type LifecycleListener = (event: LifecycleEvent) => void;

/**
 * Builds an event and hands it to `listener` (if any, so nothing is allocated without one); a listener
 * that throws is logged, never thrown to the process whose lifecycle it observes.
 */
export function emitLifecycle(
  listener: LifecycleListener | undefined,
  clock: Clock,
  logger: RuntimeLogger,
  event: Omit<LifecycleEvent, 'at'>,
): void {
  if (listener === undefined) return;
  try {
    listener({ ...event, at: clock.now() });
  } catch (error) {
    logger.error(`${event.name}: a lifecycle event listener threw`, error);
  }
}

/** {@link emitLifecycle} for a supervisor (static, dynamic or task supervisor). */
export function emitSupervisorEvent(
  listener: LifecycleListener | undefined,
  clock: Clock,
  logger: RuntimeLogger,
  supervisor: { readonly name: string; readonly restarts: number },
  type: LifecycleEventType,
  reason?: ExitReason,
): void {
  emitLifecycle(listener, clock, logger, {
    type,
    kind: 'supervisor',
    name: supervisor.name,
    ...(reason !== undefined ? { reason } : {}),
    restarts: supervisor.restarts,
  });
}
