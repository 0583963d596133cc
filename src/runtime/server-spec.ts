import type { ExitReason } from './exit-reason.js';
import type { PeriodicJobInfo, PeriodicSpec } from './periodic/periodic-job.js';
import type { ServerProcess } from './server-process.js';

/**
 * A message handler: a method of the server instance, invoked with `this` bound to the instance.
 * The parameter list is left open here; the Nest layer's `ServerRef` checks argument types.
 */
export type Handler<T> = (this: T, ...args: never[]) => unknown;

/** OTP restart types: `permanent` always restarts, `transient` only after a crash, `temporary` never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** Everything the runtime needs to run a server; the Nest layer builds one from a decorated class. */
export interface ServerSpec<T extends object> {
  /** Name used in errors, logs and introspection. */
  readonly name: string;
  /**
   * Creates the instance for incarnation `n` (1 on first start, then one more per restart). `args` are
   * the process's start arguments (a dynamic child's `startChild(args)`; undefined for static servers).
   */
  create(incarnation: number, args: unknown): T | Promise<T>;
  /** Call handlers by message name. */
  readonly calls?: Readonly<Record<string, Handler<T>>>;
  /** Cast handlers by message name. */
  readonly casts?: Readonly<Record<string, Handler<T>>>;
  /** Receives every message sent with `send` (OTP `handle_info`). */
  readonly info?: (this: T, message: unknown) => unknown;
  /** Runs before the first message with the start arguments; may be async. A throw fails the start. */
  readonly init?: (this: T, args: unknown) => unknown;
  /** Runs once when the server stops or crashes (not when it is killed). */
  readonly terminate?: (this: T, reason: ExitReason) => unknown;
  /** Periodic jobs: each tick is a message in the server's mailbox (see {@link PeriodicSpec}). */
  readonly periodic?: readonly PeriodicSpec<T>[];
  /**
   * OTP's idle timeout: once no message arrived for `after` ms, `handler` runs (as a message). Any message
   * re-arms it; so does the handler's own run. A server can change it with `setIdleTimeout`.
   */
  readonly idle?: { readonly after: number; readonly handler: (this: T) => unknown };
  /** Called with each new instance before `init` (the Nest layer hands the instance its self ref here). */
  readonly attach?: (instance: T, process: ServerProcess<T>) => void;
  /** Default call timeout in ms (default 5000). `Infinity` disables it. */
  readonly callTimeout?: number;
  /** How long `init` may take, in ms (default 5000). */
  readonly initTimeout?: number;
  /** How long stopping (drain + terminate) may take before the server is killed, in ms (default 5000). */
  readonly shutdownTimeout?: number;
  /** Restart type under a supervisor (default `permanent`). */
  readonly restart?: RestartType;
  /**
   * What a message meets while the server restarts (or backs off before restarting): `wait` (default)
   * queues it for the new instance — calls still time out on their own timeout; `reject` fails it at
   * once with `ServerNotRunningError`.
   */
  readonly whileRestarting?: 'wait' | 'reject';
  /**
   * How many messages may wait while the server is not running (starting, restarting, backing off)
   * before new ones are refused with `ServerNotRunningError` (default 10000).
   */
  readonly restartBuffer?: number;
  /**
   * Bounds the mailbox (default: unbounded). At `capacity` queued messages, `overflow` decides: `reject`
   * (default) refuses the newcomer — a call rejects with `MailboxFullError`, `cast()`/`send()` return
   * false; `drop-oldest` evicts the oldest queued cast or info to make room (never a call). Refusals and
   * drops are counted in `info().mailbox` and reported by a `mailbox_full` event. What the server or
   * the runtime queues itself — periodic ticks (at most one per job), idle timeouts, `getState`,
   * `crashWith` — is never refused or dropped; a send-after/cast-after timer's message is always
   * queued, and then counts as a cast or info. While the server is not running, `restartBuffer`
   * applies as well: whichever limit is lower refuses first.
   */
  readonly mailbox?: MailboxBound;
}

/** What a full bounded mailbox does with a newcomer (see {@link MailboxBound}). */
export type MailboxOverflow = 'reject' | 'drop-oldest';

/** A bound on a server's mailbox (see {@link ServerSpec.mailbox}). */
export interface MailboxBound {
  /** The most messages that may wait (a positive integer); the one being handled does not count. */
  readonly capacity: number;
  /** `reject` (default) refuses the newcomer; `drop-oldest` evicts the oldest queued cast or info. */
  readonly overflow?: MailboxOverflow;
}

/**
 * A bounded mailbox's counters: in {@link ServerInfo.mailbox} since the server was made, in a
 * `mailbox_full` lifecycle event since the previous one.
 */
export interface MailboxStats {
  readonly capacity: number;
  readonly overflow: MailboxOverflow;
  /** Messages refused because the mailbox was full: calls rejected, casts and sends that returned false. */
  readonly refused: number;
  /** Queued casts and infos evicted to make room (`drop-oldest`). */
  readonly dropped: number;
}

/** Lifecycle states, as reported by {@link ServerInfo.status}. */
export type ServerStatus = 'idle' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

/** A point-in-time view of one server, for dashboards and debugging. */
export interface ServerInfo {
  readonly type: 'server';
  readonly name: string;
  /** The key of a dynamic child started under one. */
  readonly key?: string;
  readonly status: ServerStatus;
  /** 1 for the first instance, +1 per restart. */
  readonly incarnation: number;
  /** Messages waiting, not counting the one being handled. */
  readonly mailboxLength: number;
  /** A bounded mailbox's capacity, policy, refusals and drops (absent when unbounded). */
  readonly mailbox?: MailboxStats;
  /** True while a handler is running. */
  readonly busy: boolean;
  /** What the running handler handles (`call 'charge'`, `tick 'sync'`, …), while `busy`. */
  readonly handling?: string;
  /** Messages handled over the server's whole life, across restarts. */
  readonly handled: {
    readonly calls: number;
    readonly casts: number;
    readonly infos: number;
    readonly ticks: number;
  };
  readonly restarts: number;
  /**
   * Deferred replies given after the caller stopped waiting (timeout, or the server exited first) or a
   * second time: ignored, and counted here.
   */
  readonly ignoredReplies: number;
  /**
   * Casts and infos that were accepted (queued) but never handled, over the server's whole life: lost
   * when a crash emptied the mailbox, or refused when it stopped without handling them (killed after its
   * shutdown timeout, stopped without draining, its supervisor gave up). Each loss is also logged as a
   * warning with its count. Calls are never counted here: their callers get an error instead. Casts
   * a bounded mailbox evicted under `drop-oldest` are counted in `mailbox.dropped`, not here.
   */
  readonly dropped: number;
  readonly lastCrash?: { readonly at: number; readonly during: string; readonly error: string };
  /** When the current instance finished `@Init` (epoch ms). */
  readonly startedAt?: number;
  /** Time since `startedAt` while running, else 0. */
  readonly uptimeMs: number;
  /** The server's periodic jobs, if it has any. */
  readonly periodic?: readonly PeriodicJobInfo[];
}
