import type { MailboxBound, RestartType } from '../runtime/server-spec.js';

/** Options of {@link GenServer}. Every timeout is in milliseconds and runs on the module's clock. */
export interface GenServerOptions {
  /** Name used in errors, logs and snapshots (default: the class name). */
  name?: string;
  /** Default timeout of calls to this server (default: the module's `callTimeout`, 5000). `Infinity` waits forever. */
  callTimeout?: number;
  /** How long `@Init` may run before the start fails (default 5000). */
  initTimeout?: number;
  /** How long draining and `@Terminate` may take at shutdown before the server is killed (default: the module's, 5000). */
  shutdownTimeout?: number;
  /** When to restart it: `permanent` (default) always, `transient` after a crash only, `temporary` never. */
  restart?: RestartType;
  /**
   * What a message meets while the server restarts or backs off: `'wait'` (default) queues it for the new
   * instance (calls still time out on their own timeout); `'reject'` fails it at once with
   * `ServerNotRunningError`.
   */
  whileRestarting?: 'wait' | 'reject';
  /** Messages that may wait while the server is not running before new ones are refused (default 10000). */
  restartBuffer?: number;
  /**
   * Bounds the mailbox (default: unbounded): `{ capacity: 1000 }` refuses what arrives while 1000 messages
   * wait — a call rejects with `MailboxFullError`, `cast()` and `send()` return false;
   * `{ capacity: 1000, overflow: 'drop-oldest' }` evicts the oldest queued cast or info instead (never a
   * call). Counted in `ref.info().mailbox` and reported by a `mailbox_full` event. Applies to each dynamic
   * child of a `forDynamic` class.
   */
  mailbox?: MailboxBound;
}
