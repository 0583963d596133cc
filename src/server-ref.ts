import type { DeferredReply } from './runtime/deferred-reply.js';
import type { ExitReason } from './runtime/exit-reason.js';
import type { ServerProcess } from './runtime/server-process.js';
import type { ServerInfo } from './runtime/server-spec.js';

type AnyMethod = (...args: never[]) => unknown;

/** Names of the methods of `T`: what `ServerRef<T>.call` and `.cast` accept. */
export type MessageName<T> = { [K in keyof T]-?: T[K] extends AnyMethod ? K : never }[keyof T] & string;

/** The parameter list of method `K` of `T`. */
export type MessageArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? A : never;

/**
 * What a call to method `K` of `T` resolves with: its awaited return type, or `R` for a handler that
 * returns a `DeferredReply<R>` (it answers later).
 */
export type Reply<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? Answer<Awaited<R>>
  : never;

/** A handler's return as the caller sees it: each `DeferredReply<V>` in it becomes `V` (distributes over unions). */
type Answer<R> = R extends DeferredReply<infer V> ? V : R;

/**
 * What `ServerRef.getState()` resolves with: the public data fields of `T` with their types, plus every
 * other own field (private ones included) as `unknown`.
 */
export type ServerState<T> = {
  readonly [K in keyof T as T[K] extends AnyMethod ? never : K]: T[K];
} & Readonly<Record<string, unknown>>;

/**
 * A handle to a running GenServer: everything goes through its mailbox, one message at a time.
 * Method names, argument types and reply types are checked against the class.
 *
 * The ref survives restarts: after a crash the same ref talks to the fresh instance.
 *
 * @example
 * const total = await counter.call('increment', 5); // number
 * counter.cast('reset');
 * await counter.withTimeout(30_000).call('rebuild');
 */
export class ServerRef<T extends object> {
  /** @internal */
  constructor(
    private readonly process: ServerProcess<T>,
    private readonly aliases: { call?: ReadonlyMap<string, string>; cast?: ReadonlyMap<string, string> },
    private readonly timeoutMs?: number,
  ) {}

  /** The server's name, as used in errors and snapshots. */
  get name(): string {
    return this.process.name;
  }

  /** @internal The process behind a ref (for the registry). */
  static processOf<T extends object>(ref: ServerRef<T>): ServerProcess<T> {
    return ref.process;
  }

  /**
   * Sends a call and resolves with the handler's (awaited) return value. Rejects with `CallTimeoutError`
   * after the timeout, `ServerCrashedError` if the server crashed first, `ServerNotRunningError` once it
   * is stopped, `UnknownMessageError` for a name with no `@HandleCall`, `MailboxFullError` at once when
   * its bounded mailbox is full.
   */
  call<K extends MessageName<T>>(name: K, ...args: MessageArgs<T, K>): Promise<Reply<T, K>> {
    const message = this.aliases.call?.get(name) ?? name;
    return this.process.call(message, args, this.timeoutMs) as Promise<Reply<T, K>>;
  }

  /**
   * Queues a cast and returns at once: `true` when queued, `false` when the server's bounded mailbox
   * (`@GenServer({ mailbox })`) is full and refused it — counted in `info().mailbox` and reported by a
   * `mailbox_full` event; an unbounded server always returns `true`. Throws `UnknownMessageError` for a
   * name with no `@HandleCast`, `ServerNotRunningError` once the server is stopped.
   */
  cast<K extends MessageName<T>>(name: K, ...args: MessageArgs<T, K>): boolean {
    return this.process.cast(this.aliases.cast?.get(name) ?? name, args);
  }

  /** Sends any message to the server's `@HandleInfo` method (OTP `send`); returns like {@link cast}. */
  send(message: unknown): boolean {
    return this.process.send(message);
  }

  /** The same ref with another call timeout (ms, or `Infinity`), for calls known to be slow. */
  withTimeout(ms: number): ServerRef<T> {
    return new ServerRef(this.process, this.aliases, ms);
  }

  /**
   * A shallow copy of the instance's data fields, taken between messages (OTP `:sys.get_state`).
   * For debugging and tests; injected dependencies appear as references.
   */
  getState(): Promise<ServerState<T>> {
    return this.process.getState(this.timeoutMs) as Promise<ServerState<T>>;
  }

  /**
   * Crashes the server as if the handler of its next message threw `reason`: what is queued before it
   * is handled first, then the instance terminates (`@Terminate` gets the crash) and its supervisor
   * applies the restart rules — a `permanent` server comes back with fresh state. For debug endpoints
   * and chaos drills; OTP's `Process.exit(pid, reason)`, which does not wait for the mailbox. Throws
   * `ServerNotRunningError` once the server is stopped.
   */
  crash(reason: unknown = new Error(`${this.process.name} was crashed on purpose`)): void {
    this.process.crashWith(reason);
  }

  /** Status, mailbox length, message counts, restarts, last crash and uptime. */
  info(): ServerInfo {
    return this.process.info();
  }

  /**
   * Stops the server after it handles what is queued, running `@Terminate(reason)`. Its supervisor
   * restarts a `permanent` server even after a normal stop (OTP). Do not await this from inside the
   * server's own handler: it waits for that handler to finish.
   */
  stop(reason: ExitReason = 'normal'): Promise<void> {
    return this.process.stop(reason);
  }
}
