import { CallDeadlines } from './call-deadlines.js';
import type { Clock, TimerHandle } from './clock.js';
import { CallTimeoutError } from './errors/call-timeout.error.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { MailboxFullError } from './errors/mailbox-full.error.js';
import { ServerCrashedError } from './errors/server-crashed.error.js';
import { DeferredReply, type DeferredReplyOwner } from './deferred-reply.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import { UnknownMessageError } from './errors/unknown-message.error.js';
import { type CrashReason, type ExitReason, describeError, describeExit } from './exit-reason.js';
import { type LifecycleEventType, emitLifecycle } from './lifecycle-event.js';
import { isThenable } from './is-thenable.js';
import { Mailbox } from './mailbox.js';
import { MailboxOverflowCounter } from './mailbox-overflow.js';
import { PeriodicJob } from './periodic/periodic-job.js';
import type { RestartType, ServerInfo, ServerSpec, ServerStatus } from './server-spec.js';
import { type AnyHandler, type ServerProcessOptions, ServerTemplate } from './server-template.js';
import { ProcessTimer, type ServerTimer, type TimerOwner } from './server-timer.js';
import type { ExitListener, SupervisedChild } from './supervised-child.js';

export type { ServerProcessOptions } from './server-template.js';

const CALL = 0;
const CAST = 1;
const INFO = 2;
const GET_STATE = 3;
const TICK = 4;
const IDLE = 5;
const EXIT = 6;
const KIND_NAMES = ['call', 'cast', 'info', 'getState', 'tick', 'idle timeout', 'crashWith()'] as const;

type Settle = (value: unknown) => void;

/** What a call (or getState) waits on: its reply functions and deadline. One object per call. */
class PendingReply {
  settled = false;
  /** Set by the deadline tracker (calls with a finite timeout only). */
  deadline = Infinity;
  /** Its handler returned (or threw): it can no longer defer the reply. */
  done = false;
  /** Its handler called `deferReply()`: the handler's return value is not the reply. */
  deferred = false;

  constructor(
    readonly name: string,
    readonly args: readonly unknown[],
    private resolve: Settle | undefined,
    private reject: Settle | undefined,
    readonly timeoutMs: number,
  ) {}

  reply(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const resolve = this.resolve;
    this.resolve = this.reject = undefined;
    if (resolve !== undefined) resolve(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const reject = this.reject;
    this.resolve = this.reject = undefined;
    if (reject !== undefined) reject(error);
  }
}

// `new Promise(executor)` calls the executor synchronously; one shared executor parks the settle
// functions here instead of allocating a closure per call. They hold nothing between statements: the
// caller takes them back (and clears them) on the next line, before anything else can run — no app ever
// sees another's. (The runtime's only other module-level variable is the default drain scheduler, whose
// queue is empty whenever no server has work.)
let parkedResolve: Settle | undefined;
let parkedReject: Settle | undefined;
function park(resolve: Settle, reject: Settle): void {
  parkedResolve = resolve;
  parkedReject = reject;
}

function expire(pending: PendingReply, server: string): void {
  pending.fail(new CallTimeoutError(server, pending.name, pending.timeoutMs));
}

/** What `start()` returns once the server runs: one settled promise for all, not one per start. */
const RESOLVED: Promise<void> = Promise.resolve();

/** The boot step named in an init failure (built only on failure: starting must not pay for it). */
function initStep(init: { readonly name: string }): string {
  return `@Init ${init.name}()`;
}

function describeMessage(kind: number, name: string): string {
  if (kind === INFO) return 'an info message';
  if (kind === IDLE) return 'the idle timeout';
  if (kind === EXIT) return 'crashWith()';
  return `${KIND_NAMES[kind]} '${name}'`;
}

/** The handler of the message queued by {@link ServerProcess.crashWith}: it throws what it is given. */
function raise(reason: unknown): never {
  throw reason;
}

function awaitsReply(kind: number): boolean {
  return kind === CALL || kind === GET_STATE;
}

/** What `drop-oldest` may evict: a cast or an info — never a call (its caller waits) or the server's own. */
function droppable(kind: number): boolean {
  return kind === CAST || kind === INFO;
}

/** Options for {@link ServerProcess.stop}. */
export interface StopOptions {
  /** How long draining and `@Terminate` may take before the server is killed (default: the spec's). */
  timeout?: number;
  /** Handle messages already queued before stopping (default true). */
  drain?: boolean;
  /**
   * The supervisor will start it again (a group restart): queued and newly sent messages are kept
   * for the next instance instead of being handled or refused.
   */
  forRestart?: boolean;
}

/** State that exists only while a stop is in progress. */
interface Stopping {
  readonly promise: Promise<void>;
  /** Queued messages the stop may still handle before `@Terminate`. */
  budget: number;
  /** True for a stop before a restart: messages keep being accepted for the next instance. */
  readonly holding: boolean;
  onQuiet: (() => void) | undefined;
}

/** The continuations of async handlers, made once per incarnation that has an async handler. */
interface Continuations {
  readonly epoch: number;
  readonly done: Settle;
  readonly failed: Settle;
}

/** Idle detection, only for processes with an idle timeout (their own, or their supervisor's). */
interface IdleWatch {
  timer: TimerHandle | undefined;
  /** When the last message was handled (or the instance started): for the server's own idle timeout. */
  since: number;
  /**
   * When the last message from outside was handled — not a tick or an idle run, which the server makes
   * itself: for the supervisor's eviction, so a ticking child nobody uses is still evicted.
   */
  contact: number;
  /** A message from outside was taken since `contact` was last set. */
  touched: boolean;
  /** A message (not a state read) was taken since `since` was last set. */
  handled: boolean;
  /** The idle-timeout message is queued and not handled yet. */
  notified: boolean;
  readonly fire: () => void;
}

/** How a process was started by its host: a dynamic child's key and start arguments. */
export interface ProcessIdentity {
  /** The key a dynamic child was started under (names it `Name[key]` in logs and errors). */
  readonly key?: string;
  /** Start arguments passed to the spec's `create` and `init`. */
  readonly args?: unknown;
}

/**
 * A server: one instance whose handlers run strictly one message at a time, async handlers included,
 * fed by an O(1) mailbox. The process outlives its instances: after a crash its supervisor calls
 * {@link ServerProcess.restart}, which creates a fresh instance from the spec and runs `init` again,
 * while callers keep the same process.
 *
 * Everything a process needs beyond its own state lives in a shared template (handler tables,
 * options), and the mailbox, the call-deadline tracker and async continuations are made on first
 * use, so an idle process is small.
 */
export class ServerProcess<T extends object = object>
  implements SupervisedChild, TimerOwner, DeferredReplyOwner
{
  /** The key of a dynamic child, if it was started under one. */
  readonly key: string | undefined;
  private readonly t: ServerTemplate<T>;
  private readonly args: unknown;
  // The message being handled stays in the mailbox's `kind`/`name`/`handler`/`payload` fields until
  // the next shift: nothing is shifted while a handler runs, so they are the current message.
  private mailbox: Mailbox<AnyHandler, unknown> | undefined;
  private deadlines: CallDeadlines<PendingReply> | undefined;

  private state: ServerStatus = 'idle';
  private instance: T | undefined;
  private instances = 0;
  /** Bumped whenever an instance is detached (crash, kill, abandon); stale continuations compare it. */
  private epoch = 0;
  private busy = false;
  private drainScheduled = false;
  private exitListener: ExitListener | undefined;
  private stopping: Stopping | undefined;
  private continuations: Continuations | undefined;
  private idle: IdleWatch | undefined;
  /** The instance's own idle timeout (starts as the spec's; changed by `setIdleTimeout`). */
  private idleAfter: number;
  private monitors: ((reason: ExitReason) => void)[] | undefined;
  private jobs: PeriodicJob[] | undefined;
  /** Pending send-after timers of the current instance. */
  private timers: Set<ProcessTimer> | undefined;
  /** Reported to the clock's work observer: has messages to handle or a handler running. */
  private active = false;
  /** Calls of the current instance whose handler deferred the reply and that are not answered yet. */
  private deferred: Set<PendingReply> | undefined;
  private ignoredReplies = 0;
  /** A bounded mailbox's refusals and drops; made on its first overflow. */
  private overflowCounter: MailboxOverflowCounter | undefined;
  /** Casts and infos accepted but never handled: lost in a crash, or refused when it stopped. */
  private droppedMessages = 0;

  private restartCount = 0;
  private handledCalls = 0;
  private handledCasts = 0;
  private handledInfos = 0;
  private handledTicks = 0;
  private startedAt: number | undefined;
  private lastCrash: ServerInfo['lastCrash'];

  /**
   * @param spec the server's definition (or a template shared by many processes of one definition)
   * @param options clock, logger, defaults and listeners (ignored when `spec` is a template)
   * @param identity a dynamic child's key and start arguments
   */
  constructor(
    spec: ServerSpec<T> | ServerTemplate<T>,
    options?: ServerProcessOptions,
    identity?: ProcessIdentity,
  ) {
    this.t = spec instanceof ServerTemplate ? spec : new ServerTemplate(spec, options);
    this.key = identity?.key;
    this.args = identity?.args;
    this.idleAfter = this.t.idleAfter;
  }

  /** Name used in errors, logs and introspection (`Name[key]` for a keyed dynamic child). */
  get name(): string {
    return this.key === undefined ? this.t.name : `${this.t.name}[${this.key}]`;
  }

  /** The clock behind this process's timers. */
  get clock(): Clock {
    return this.t.clock;
  }

  get restartType(): RestartType {
    return this.t.restartType;
  }

  get shutdownTimeout(): number {
    return this.t.shutdownTimeout;
  }

  /** The current lifecycle state. */
  get status(): ServerStatus {
    return this.state;
  }

  /** Which instance is live: 1 for the first, +1 per restart. */
  get incarnation(): number {
    return this.instances;
  }

  /** Messages waiting, not counting the one being handled. */
  get mailboxLength(): number {
    return this.mailbox === undefined ? 0 : this.mailbox.length;
  }

  /** Registers the one listener (the supervisor) told about every exit. */
  setExitListener(listener: ExitListener | undefined): void {
    this.exitListener = listener;
  }

  /**
   * Calls `onDown` once when the process exits for good (not when it is about to be restarted), like
   * an OTP monitor. Used by registries to drop entries the moment a process ends.
   */
  monitor(onDown: (reason: ExitReason) => void): void {
    (this.monitors ??= []).push(onDown);
  }

  // ---------------------------------------------------------------- messages (hot path)

  /**
   * Sends a call and resolves with the handler's return value (awaited). Rejects with
   * {@link CallTimeoutError}, {@link ServerCrashedError}, {@link ServerNotRunningError},
   * {@link UnknownMessageError} or, at once, {@link MailboxFullError}; it always settles exactly once.
   */
  call(name: string, args: readonly unknown[], timeoutMs: number = this.t.callTimeout): Promise<unknown> {
    const handler = this.t.calls.get(name);
    if (handler === undefined) {
      return Promise.reject(new UnknownMessageError(this.name, 'call', name, [...this.t.calls.keys()]));
    }
    if (this.state !== 'running') {
      const refusal = this.refusal(CALL, name);
      if (refusal !== undefined) return Promise.reject(refusal);
    }
    const finite = timeoutMs !== Infinity;
    if (finite && !(timeoutMs >= 0)) {
      return Promise.reject(
        new RangeError(
          `Call timeout for '${name}' on ${this.name} must be >= 0 ms or Infinity, got ${timeoutMs}`,
        ),
      );
    }
    const mailbox = (this.mailbox ??= new Mailbox<AnyHandler, unknown>(4));
    if (mailbox.length >= this.t.capacity && !this.makeRoom(mailbox)) {
      return Promise.reject(
        new MailboxFullError(this.name, describeMessage(CALL, name), this.t.capacity, this.t.overflow),
      );
    }
    const promise = new Promise<unknown>(park);
    const pending = new PendingReply(name, args, parkedResolve, parkedReject, timeoutMs);
    parkedResolve = parkedReject = undefined;
    if (finite) this.trackDeadline(pending);
    this.push(mailbox, CALL, name, handler, pending);
    return promise;
  }

  /**
   * Queues a cast and returns at once: true when queued, false when a full bounded mailbox refused it
   * (counted in `info().mailbox` and reported by a `mailbox_full` event). A throwing handler crashes the
   * server (it is never an unhandled rejection). Throws {@link UnknownMessageError} or
   * {@link ServerNotRunningError} synchronously, so a message is never silently lost.
   */
  cast(name: string, args: readonly unknown[]): boolean {
    const handler = this.t.casts.get(name);
    if (handler === undefined)
      throw new UnknownMessageError(this.name, 'cast', name, [...this.t.casts.keys()]);
    if (this.state !== 'running') {
      const refusal = this.refusal(CAST, name);
      if (refusal !== undefined) throw refusal;
    }
    const mailbox = (this.mailbox ??= new Mailbox<AnyHandler, unknown>(4));
    if (mailbox.length >= this.t.capacity && !this.makeRoom(mailbox)) return false;
    this.push(mailbox, CAST, name, handler, args);
    return true;
  }

  /**
   * Queues any message for the server's info handler (OTP `send`/`handle_info`); returns like
   * {@link cast}.
   */
  send(message: unknown): boolean {
    if (this.state !== 'running') {
      const refusal = this.refusal(INFO, 'info');
      if (refusal !== undefined) throw refusal;
    }
    const mailbox = (this.mailbox ??= new Mailbox<AnyHandler, unknown>(4));
    if (mailbox.length >= this.t.capacity && !this.makeRoom(mailbox)) return false;
    this.push(mailbox, INFO, 'info', this.t.info, message);
    return true;
  }

  /**
   * Crashes the server with `reason`, as if the handler of a message sent now threw it: the messages
   * already queued are handled first, then the server crashes (`@Terminate` runs, callers still queued
   * get `ServerCrashedError`) and its supervisor decides. For tests of supervision (the testing kit's
   * `crash()`); OTP's `Process.exit(pid, reason)`, delivered in mailbox order.
   *
   * @throws ServerNotRunningError when the server is stopped (or could not queue a message now)
   */
  crashWith(reason: unknown): void {
    if (this.state !== 'running') {
      const refusal = this.refusal(EXIT, 'exit');
      if (refusal !== undefined) throw refusal;
    }
    this.enqueue(EXIT, 'exit', raise, reason);
  }

  /**
   * Resolves with a shallow copy of the instance's own fields, taken between messages (after every
   * message sent before it), like OTP's `:sys.get_state`. For debugging and tests.
   */
  getState(timeoutMs: number = this.t.callTimeout): Promise<Record<string, unknown>> {
    if (this.state !== 'running') {
      const refusal = this.refusal(GET_STATE, 'getState');
      if (refusal !== undefined) return Promise.reject(refusal);
    }
    const promise = new Promise<unknown>(park);
    const pending = new PendingReply('getState', [], parkedResolve, parkedReject, timeoutMs);
    parkedResolve = parkedReject = undefined;
    if (timeoutMs !== Infinity) this.trackDeadline(pending);
    this.enqueue(GET_STATE, 'getState', undefined, pending);
    return promise as Promise<Record<string, unknown>>;
  }

  /**
   * From inside a call handler: the handler will not reply by returning; the caller waits for
   * {@link DeferredReply.reply} (or `fail`) instead, from a task, a later message or a callback, while
   * the server goes on with its mailbox (OTP `{:noreply, state}` + `GenServer.reply/2`). The caller's
   * timeout still applies. If the instance exits first, the caller gets its crash or stop error.
   *
   * @param incarnation the instance asking (its `incarnation` when it was made); a stale instance's
   *   request is refused
   * @throws Error when no call handler of the current instance is running, or it already deferred
   */
  deferReply<R = unknown>(incarnation = this.instances): DeferredReply<R> {
    const mailbox = this.mailbox;
    const pending = mailbox?.kind === CALL ? (mailbox.payload as PendingReply | undefined) : undefined;
    const s = this.state;
    if (
      pending === undefined ||
      pending.done ||
      incarnation !== this.instances ||
      (s !== 'running' && s !== 'stopping')
    ) {
      throw new Error(
        `${this.name}: deferReply() works only inside a @HandleCall handler, while it runs ` +
          `(call it before returning, or before the handler's promise settles)`,
      );
    }
    if (pending.deferred) {
      throw new Error(`${this.name}: the reply to call '${pending.name}' was already deferred`);
    }
    pending.deferred = true;
    (this.deferred ??= new Set()).add(pending);
    return new DeferredReply<R>(this, pending, pending.name);
  }

  /** @internal Settles a deferred call; counts and ignores a reply nobody waits for any more. */
  settleDeferred(token: object, ok: boolean, value: unknown): boolean {
    const pending = token as PendingReply;
    this.deferred?.delete(pending);
    if (pending.settled) {
      this.ignoredReplies++;
      return false;
    }
    if (ok) pending.reply(value);
    else pending.fail(value);
    this.deadlines?.release();
    return true;
  }

  /** The instance ends: callers still waiting on a deferred reply get `error`. */
  private failDeferred(makeError: (call: string) => Error): void {
    const deferred = this.deferred;
    if (deferred === undefined || deferred.size === 0) return;
    this.deferred = undefined;
    for (const pending of deferred) pending.fail(makeError(describeMessage(CALL, pending.name)));
  }

  private trackDeadline(pending: PendingReply): void {
    if (this.deadlines === undefined) {
      const t = this.t;
      this.deadlines = new CallDeadlines<PendingReply>(t.clock, t.scheduler, expire, this.name);
    }
    this.deadlines.track(pending);
  }

  /**
   * Why a message cannot be queued now, or undefined if it can (only asked when not running). Before
   * the first start and while restarting, messages wait for the instance — up to `restartBuffer`
   * of them, and not at all with `whileRestarting: 'reject'`.
   */
  private refusal(kind: number, name: string): ServerNotRunningError | undefined {
    const s = this.state;
    const holding = s === 'stopping' && this.stopping !== undefined && this.stopping.holding;
    if (!(s === 'idle' || s === 'starting' || s === 'restarting' || holding)) {
      return this.notRunning(describeMessage(kind, name));
    }
    const restarting = s === 'restarting' || holding || (s === 'starting' && this.restartCount > 0);
    if (restarting && this.t.failFast) {
      return this.notRunning(describeMessage(kind, name), "whileRestarting: 'reject'");
    }
    const waiting = this.mailboxLength;
    if (waiting >= this.t.restartBuffer) {
      return this.notRunning(
        describeMessage(kind, name),
        `${waiting} message(s) already wait for it to run (restartBuffer ${this.t.restartBuffer})`,
      );
    }
    return undefined;
  }

  /** Queues a message the server makes itself (tick, timer, idle timeout…): never refused by the bound. */
  private enqueue(kind: number, name: string, handler: AnyHandler | undefined, payload: unknown): void {
    this.push((this.mailbox ??= new Mailbox<AnyHandler, unknown>(4)), kind, name, handler, payload);
  }

  private push(
    mailbox: Mailbox<AnyHandler, unknown>,
    kind: number,
    name: string,
    handler: AnyHandler | undefined,
    payload: unknown,
  ): void {
    mailbox.push(kind, name, handler, payload);
    if (!this.busy && !this.drainScheduled && (this.state === 'running' || this.state === 'stopping')) {
      this.wake();
    }
  }

  /**
   * The bounded mailbox is full: under `drop-oldest`, evicts the oldest queued cast or info to make
   * room (true); otherwise, or with only calls and the server's own messages queued, the newcomer is
   * refused (false). Either way it is counted and reported.
   */
  private makeRoom(mailbox: Mailbox<AnyHandler, unknown>): boolean {
    const counter = (this.overflowCounter ??= new MailboxOverflowCounter(this.t.clock, (refused, dropped) =>
      this.reportOverflow(refused, dropped),
    ));
    if (this.t.overflow === 'drop-oldest' && mailbox.evictOldest(droppable)) {
      counter.drop();
      return true;
    }
    counter.refuse();
    return false;
  }

  /** One warning and one `mailbox_full` event for what overflowed since the last report. */
  private reportOverflow(refused: number, dropped: number): void {
    const t = this.t;
    const what = [
      ...(dropped > 0 ? [`dropped the ${dropped} oldest queued cast/info message(s)`] : []),
      ...(refused > 0 ? [`refused ${refused} message(s)`] : []),
    ].join(' and ');
    t.logger.warn(
      `${this.name}: mailbox full (capacity ${t.capacity}, overflow '${t.overflow}'): ${what}. It handles ` +
        `messages slower than they arrive: slow the producer (use call, which waits for the server, ` +
        `instead of cast), or raise mailbox.capacity. Reported at most once a second; see info().mailbox`,
    );
    if (t.events === undefined) return;
    emitLifecycle(t.events, t.clock, t.logger, {
      type: 'mailbox_full',
      kind: 'server',
      name: t.name,
      ...(this.key !== undefined ? { key: this.key } : {}),
      restarts: this.restartCount,
      mailbox: { capacity: t.capacity, overflow: t.overflow, refused, dropped },
    });
  }

  /** Queues a drain with the scheduler (the caller checked that none is queued or running). */
  private wake(): void {
    this.drainScheduled = true;
    this.t.scheduler.schedule(this);
    const work = this.t.work;
    if (work !== undefined && !this.active) {
      this.active = true;
      work.started();
    }
  }

  /** Nothing left to handle: tell a test clock. */
  private rest(): void {
    if (!this.active) return;
    this.active = false;
    (this.t.work as NonNullable<ServerTemplate['work']>).ended();
  }

  /**
   * Handles queued messages one at a time until the mailbox is empty, a handler goes async, or the
   * scheduler's slice is used up (then it queues itself again so others get a turn). The scheduler
   * calls it with `dequeued` (its queue entry is used up).
   *
   * Handlers are called right here, and the scheduler calls this method directly (it is public for the
   * scheduler only): every stack frame between the scheduler and a handler makes each error created
   * there (the handler's own, and the ServerCrashedError of a crash) slower to construct, about 0.5 µs
   * per frame.
   *
   * @internal
   */
  drain(dequeued: boolean): void {
    if (dequeued) this.drainScheduled = false;
    const s = this.state;
    if (this.busy || !(s === 'running' || s === 'stopping')) return;
    const mailbox = this.mailbox;
    const stopping = s === 'stopping' ? this.stopping : undefined;
    const watch = this.idle;
    // Hoisted: the loop below spends its budget once per message.
    const scheduler = this.t.scheduler;
    if (mailbox !== undefined) {
      while (mailbox.length > 0) {
        if (stopping !== undefined) {
          if (stopping.budget <= 0) break;
          stopping.budget--;
        }
        if (scheduler.left <= 0) {
          if (stopping !== undefined) stopping.budget++;
          this.drainScheduled = true;
          scheduler.schedule(this);
          return;
        }
        scheduler.left--;
        mailbox.shift();
        const kind = mailbox.kind;
        if (watch !== undefined && kind !== GET_STATE) {
          // Reading the state is looking, not using: it resets neither idle timeout.
          watch.handled = true;
          if (kind < TICK) watch.touched = true;
        }
        if (kind === GET_STATE) {
          (mailbox.payload as PendingReply).reply({ ...(this.instance as object) });
          (this.deadlines as CallDeadlines<PendingReply> | undefined)?.release();
          continue;
        }
        let result: unknown;
        try {
          if (kind === CALL) {
            result = (mailbox.handler as AnyHandler).apply(
              this.instance,
              (mailbox.payload as PendingReply).args as unknown[],
            );
          } else if (kind === CAST) {
            result = (mailbox.handler as AnyHandler).apply(this.instance, mailbox.payload as unknown[]);
          } else if (kind === TICK) {
            (mailbox.payload as PeriodicJob).began(this.t.clock.now());
            result = (mailbox.handler as AnyHandler).call(this.instance);
          } else if (kind === IDLE) {
            (this.idle as IdleWatch).notified = false;
            result = (mailbox.handler as AnyHandler).call(this.instance);
          } else if (mailbox.handler !== undefined) {
            result = mailbox.handler.call(this.instance, mailbox.payload);
          } else {
            this.t.logger.debug(
              `${this.name} has no @HandleInfo handler; ignored ${describeError(mailbox.payload)}`,
            );
            continue;
          }
        } catch (error) {
          this.crash(error);
          return;
        }
        if (isThenable(result)) {
          this.awaitHandler(result);
          return;
        }
        this.finish(result);
      }
      mailbox.clearTaken();
    }
    if (stopping !== undefined) stopping.onQuiet?.();
    else if (watch !== undefined && watch.handled) {
      watch.handled = false;
      const now = this.t.clock.now();
      watch.since = now;
      if (watch.touched) {
        watch.touched = false;
        watch.contact = now;
      }
    }
    if (this.active) this.rest();
  }

  /** The handler of the taken message returned a promise: nothing else runs until it settles. */
  private awaitHandler(result: PromiseLike<unknown>): void {
    this.busy = true;
    const c = this.continuations?.epoch === this.epoch ? this.continuations : this.makeContinuations();
    result.then(c.done, c.failed);
  }

  private finish(result: unknown): void {
    const mailbox = this.mailbox as Mailbox<AnyHandler, unknown>;
    switch (mailbox.kind) {
      case CALL: {
        this.handledCalls++;
        const pending = mailbox.payload as PendingReply;
        pending.done = true;
        if (pending.deferred) break;
        pending.reply(result);
        this.deadlines?.release();
        break;
      }
      case CAST:
        this.handledCasts++;
        break;
      case TICK:
        this.handledTicks++;
        (mailbox.payload as PeriodicJob).finished(this.t.clock.now());
        break;
      default:
        this.handledInfos++;
    }
  }

  /** The settle callbacks of async handlers for the current instance; stale ones ignore late results. */
  private makeContinuations(): Continuations {
    const epoch = this.epoch;
    const c: Continuations = {
      epoch,
      done: (value) => {
        if (epoch !== this.epoch || !this.busy) return;
        this.busy = false;
        this.t.work?.progressed();
        this.finish(value);
        this.drain(false);
      },
      failed: (error) => {
        if (epoch !== this.epoch || !this.busy) return;
        this.busy = false;
        this.crash(error);
      },
    };
    this.continuations = c;
    return c;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Creates the first instance and runs `init`. Rejects with {@link InitFailedError}. */
  start(): Promise<void> {
    if (this.state !== 'idle') {
      return Promise.reject(new Error(`${this.name} was already started (status ${this.state})`));
    }
    const outcome = this.boot();
    return isThenable(outcome) ? outcome.then((failure) => this.started(failure)) : this.started(outcome);
  }

  private started(failure: InitFailedError | undefined): Promise<void> {
    if (failure === undefined) return RESOLVED;
    this.state = 'failed';
    this.failQueued('it failed to start');
    return Promise.reject(failure);
  }

  /**
   * Starts a fresh instance after an exit the supervisor chose to restart (or after the supervisor
   * stopped it to restart a group). Messages that arrived since the exit are handled by the new
   * instance. A failing restart is reported as a crash to the listener.
   */
  async restart(): Promise<boolean> {
    const s = this.state;
    if (s !== 'restarting' && s !== 'stopped' && s !== 'failed') return s === 'running';
    this.restartCount++;
    const failure = await this.boot();
    if (failure !== undefined) {
      this.exit({ kind: 'crash', error: failure, during: failure.step });
      return false;
    }
    return this.state === 'running';
  }

  /**
   * Runs the factory and `init`; on success the server is running. Returns the failure otherwise.
   * Synchronous when both are, so starting a dynamic child costs no promise or timer.
   */
  private boot(): InitFailedError | undefined | Promise<InitFailedError | undefined> {
    this.state = 'starting';
    const epoch = ++this.epoch;
    this.instance = undefined;
    this.busy = false; // whatever the last instance was doing is detached by the new epoch
    this.idleAfter = this.t.idleAfter; // @Init may change it
    let created: T | Promise<T>;
    try {
      created = this.t.spec.create(++this.instances, this.args);
    } catch (error) {
      return this.bootFailed(new InitFailedError(this.name, 'creating the instance', error));
    }
    if (!isThenable(created)) return this.afterCreate(epoch, created);
    return Promise.resolve(created).then(
      (instance) => this.afterCreate(epoch, instance),
      (error: unknown) =>
        epoch === this.epoch
          ? this.bootFailed(new InitFailedError(this.name, 'creating the instance', error))
          : undefined,
    );
  }

  private afterCreate(
    epoch: number,
    instance: T,
  ): InitFailedError | undefined | Promise<InitFailedError | undefined> {
    if (epoch !== this.epoch) return undefined;
    this.instance = instance;
    const attach = this.t.spec.attach;
    if (attach !== undefined) {
      try {
        attach(instance, this);
      } catch (error) {
        return this.bootFailed(new InitFailedError(this.name, 'attaching the instance', error));
      }
    }
    const init = this.t.init;
    if (init === undefined) return this.running(epoch);
    let result: unknown;
    try {
      result = init.call(instance, this.args);
    } catch (error) {
      return this.bootFailed(new InitFailedError(this.name, initStep(init), error));
    }
    if (!isThenable(result)) return this.running(epoch);
    return this.runBounded(() => result, this.t.initTimeout).then((failure) => {
      if (epoch !== this.epoch) return undefined;
      if (failure === undefined) return this.running(epoch);
      return this.bootFailed(
        failure.timedOut
          ? new InitFailedError(this.name, initStep(init), undefined, this.t.initTimeout)
          : new InitFailedError(this.name, initStep(init), failure.error),
      );
    });
  }

  private running(epoch: number): undefined {
    if (epoch !== this.epoch || this.state !== 'starting') return undefined; // stopped while starting
    this.state = 'running';
    this.startedAt = this.t.clock.now();
    if (this.t.idleTimeout !== Infinity || this.idleAfter !== Infinity) this.watchIdle(true);
    if (this.mailboxLength > 0 && !this.drainScheduled) this.wake();
    this.startJobs();
    this.emit(this.restartCount === 0 ? 'started' : 'restarted');
    return undefined;
  }

  private bootFailed(error: InitFailedError): InitFailedError {
    this.stopTimers(); // what @Init set before it failed
    this.lastCrash = { at: this.t.clock.now(), during: error.step, error: error.message };
    return error;
  }

  /**
   * Stops the server: refuses new messages, handles those already queued (unless `drain: false`),
   * runs `@Terminate(reason)`, then reports the exit to the supervisor. If that takes longer than the
   * shutdown timeout the server is killed: callers still waiting get {@link ServerNotRunningError} and
   * `@Terminate` does not run (OTP's brutal kill). With `forRestart`, messages are kept for the next
   * instance instead.
   */
  stop(reason: ExitReason = 'normal', options: StopOptions = {}): Promise<void> {
    if (this.stopping !== undefined) return this.stopping.promise;
    const s = this.state;
    if (s === 'stopped' || s === 'failed') return Promise.resolve();
    if (s === 'idle' || s === 'restarting' || s === 'starting') {
      this.abandon(reason, options.forRestart === true);
      return Promise.resolve();
    }
    const holding = options.forRestart === true;
    const stopping: { -readonly [K in keyof Stopping]: Stopping[K] } = {
      promise: undefined as unknown as Promise<void>,
      budget: holding || options.drain === false ? 0 : Infinity,
      holding,
      onQuiet: undefined,
    };
    this.stopping = stopping;
    stopping.promise = this.runStop(reason, options, stopping);
    return stopping.promise;
  }

  /**
   * Ends the server at once, without draining or `@Terminate` (OTP's brutal kill), when its supervisor
   * ran out of time to stop it: the caller of a message in flight and every queued caller get
   * {@link ServerNotRunningError}. The exit reason is `killed`.
   */
  kill(): void {
    const s = this.state;
    if (s === 'stopped' || s === 'failed' || s === 'idle') return;
    const { inFlight, inFlightReply } = this.detach();
    inFlightReply?.fail(this.notRunning(inFlight as string, 'killed by its supervisor'));
    this.failQueued('killed by its supervisor');
    this.exit('killed', true);
  }

  /** Stops a process that has no running instance (never started, restarting, or still starting). */
  private abandon(reason: ExitReason, holding: boolean): void {
    this.epoch++;
    this.state = 'stopped';
    this.instance = undefined;
    this.stopTimers();
    this.rest();
    if (!holding) this.failQueued('it stopped before it was running');
    this.exit(reason, true);
  }

  private async runStop(reason: ExitReason, options: StopOptions, stopping: Stopping): Promise<void> {
    try {
      const timeout = options.timeout ?? this.t.shutdownTimeout;
      this.state = 'stopping';
      this.stopTimers();
      if (stopping.holding && this.t.failFast) {
        this.failQueued("whileRestarting: 'reject'");
      } else if (options.drain === false && !stopping.holding) {
        this.failQueued('stopped without draining its mailbox');
      }
      const epoch = this.epoch;
      const instance = this.instance as T;
      const terminate = this.t.terminate;
      const outcome = await this.runBounded(async () => {
        await this.quiet(stopping);
        if (epoch !== this.epoch) return; // a handler crashed while draining; it terminated
        if (terminate !== undefined) {
          try {
            await terminate.call(instance, reason);
          } catch (error) {
            this.t.logger.error(`${this.name}: @Terminate ${terminate.name}() threw while stopping`, error);
          }
        }
      }, timeout);
      if (epoch !== this.epoch) return; // crashed while draining: the crash path took over
      const { inFlight, inFlightReply } = this.detach();
      if (outcome?.timedOut) {
        const left = this.mailboxLength + (inFlight ? 1 : 0);
        this.t.logger.warn(
          `${this.name} did not stop within ${timeout} ms (${left} message(s) unhandled); killed without @Terminate`,
        );
        inFlightReply?.fail(this.notRunning(inFlight as string, 'killed after its shutdown timeout'));
        if (!stopping.holding) this.failQueued('killed after its shutdown timeout');
        this.exit('killed', true);
        return;
      }
      this.exit(reason, true);
    } finally {
      this.stopping = undefined;
    }
  }

  /**
   * Cuts the process loose from its instance and whatever handler still runs (a late result is ignored),
   * and marks it stopped. Returns the message in flight, if any, so its caller can be told.
   */
  private detach(): { inFlight: string | undefined; inFlightReply: PendingReply | undefined } {
    this.epoch++;
    const mailbox = this.mailbox;
    const inFlight =
      this.busy && mailbox !== undefined ? describeMessage(mailbox.kind, mailbox.name) : undefined;
    const inFlightReply =
      inFlight !== undefined && awaitsReply((mailbox as Mailbox<AnyHandler, unknown>).kind)
        ? ((mailbox as Mailbox<AnyHandler, unknown>).payload as PendingReply)
        : undefined;
    if (this.busy && mailbox !== undefined && mailbox.kind === TICK) {
      (mailbox.payload as PeriodicJob).failed(this.t.clock.now());
    }
    this.busy = false;
    mailbox?.clearTaken();
    this.failDeferred((call) =>
      this.notRunning(call, 'it stopped before it replied (the reply was deferred)'),
    );
    this.instance = undefined;
    this.startedAt = undefined;
    this.state = 'stopped';
    this.stopTimers();
    this.rest();
    return { inFlight, inFlightReply };
  }

  /** Resolves once no handler runs and the stop has handled what it may of the mailbox. */
  private quiet(stopping: Stopping): Promise<void> {
    if (!this.busy && (this.mailboxLength === 0 || stopping.budget <= 0)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      stopping.onQuiet = () => {
        stopping.onQuiet = undefined;
        resolve();
      };
      if (!this.busy && !this.drainScheduled) this.wake();
    });
  }

  /** A handler threw: fail the callers, run `@Terminate`, then let the supervisor decide. */
  private crash(error: unknown): void {
    const mailbox = this.mailbox as Mailbox<AnyHandler, unknown>;
    const during = describeMessage(mailbox.kind, mailbox.name);
    const inFlightReply = awaitsReply(mailbox.kind) ? (mailbox.payload as PendingReply) : undefined;
    const wasStopping = this.state === 'stopping';
    const epoch = ++this.epoch; // detach the crashed instance
    const instance = this.instance as T;
    this.instance = undefined;
    this.startedAt = undefined;
    this.busy = true; // nothing runs until the exit is decided
    this.state = wasStopping ? 'stopping' : 'restarting';
    this.stopTimers();
    const now = this.t.clock.now();
    this.lastCrash = { at: now, during, error: describeError(error) };
    if (mailbox.kind === TICK) (mailbox.payload as PeriodicJob).failed(now);
    inFlightReply?.fail(new ServerCrashedError(this.name, during, error));
    this.failDeferred((call) => new ServerCrashedError(this.name, during, error, call, 'deferred'));
    mailbox.clearTaken();
    let dropped = 0;
    mailbox.drain((kind, name, payload) => {
      if (awaitsReply(kind)) {
        (payload as PendingReply).fail(
          new ServerCrashedError(this.name, during, error, describeMessage(kind, name)),
        );
      } else if (kind === TICK) (payload as PeriodicJob).dropped();
      else if (kind !== IDLE) dropped++;
    });
    this.deadlines?.clear();
    if (dropped > 0) {
      this.droppedMessages += dropped;
      this.t.logger.warn(`${this.name}: ${dropped} queued cast/info message(s) were lost in the crash`);
    }
    const reason: CrashReason = { kind: 'crash', error, during };
    const terminate = this.t.terminate;
    const afterTerminate = (): void => {
      if (this.epoch !== epoch) return;
      this.busy = false;
      this.rest();
      if (wasStopping) {
        // A crash while draining for shutdown ends the stop.
        this.state = 'stopped';
        this.stopping?.onQuiet?.();
        this.exit(reason, true);
      } else this.exit(reason);
    };
    if (terminate === undefined) {
      afterTerminate();
      return;
    }
    void this.runBounded(() => terminate.call(instance, reason), this.t.shutdownTimeout).then((outcome) => {
      if (outcome?.timedOut)
        this.t.logger.warn(`${this.name}: @Terminate ${terminate.name}() timed out after a crash`);
      else if (outcome)
        this.t.logger.error(
          `${this.name}: @Terminate ${terminate.name}() threw after a crash`,
          outcome.error,
        );
      afterTerminate();
    });
  }

  /**
   * Reports an exit. A listener that will restart the server keeps it in `restarting` (messages wait);
   * otherwise the exit is final: everything still queued is refused and monitors are told. Without a
   * listener, a crash is logged here; with one, the supervisor logs it once, with what it decided.
   */
  private exit(reason: ExitReason, stopped = false): void {
    const crashed = typeof reason !== 'string';
    if (crashed) this.emit('crashed', reason);
    let restart = false;
    const listener = this.exitListener;
    if (listener !== undefined) {
      try {
        restart = listener(this, reason);
      } catch (error) {
        this.t.logger.error(`${this.name}: its supervisor failed to handle its exit`, error);
      }
    } else if (crashed) {
      this.t.logger.error(`${this.name} ${describeExit(reason)}`, reason.error);
    }
    if (restart) {
      this.state = 'restarting';
      return;
    }
    if (!stopped) this.state = crashed ? 'failed' : 'stopped';
    this.overflowCounter?.flush();
    this.failQueued(`it exited (${describeExit(reason)})`);
    // Every call is settled now: disarm the deadline timer rather than leave it to fire for nothing
    // (a million stopped children would each keep one until their call timeout).
    this.deadlines?.clear();
    this.emit('stopped', reason);
    const monitors = this.monitors;
    if (monitors !== undefined) {
      this.monitors = undefined;
      for (const onDown of monitors) {
        try {
          onDown(reason);
        } catch (error) {
          this.t.logger.error(`${this.name}: a monitor threw`, error);
        }
      }
    }
  }

  /**
   * Refuses everything in the mailbox: calls get {@link ServerNotRunningError} saying `why`; casts and
   * infos are counted in `info().dropped` and logged with the count.
   */
  private failQueued(why: string): void {
    const mailbox = this.mailbox;
    if (mailbox === undefined || mailbox.length === 0) return;
    let dropped = 0;
    mailbox.drain((kind, name, payload) => {
      if (awaitsReply(kind))
        (payload as PendingReply).fail(this.notRunning(describeMessage(kind, name), why));
      else if (kind === TICK) (payload as PeriodicJob).dropped();
      else if (kind !== IDLE) dropped++;
    });
    this.deadlines?.release();
    if (dropped > 0) {
      this.droppedMessages += dropped;
      this.t.logger.warn(`${this.name}: ${dropped} queued cast/info message(s) were not handled (${why})`);
    }
  }

  private notRunning(what: string, detail?: string): ServerNotRunningError {
    return new ServerNotRunningError(this.name, what, this.state, detail);
  }

  private emit(type: LifecycleEventType, reason?: ExitReason): void {
    const t = this.t;
    if (t.events === undefined) return; // build no event nobody listens to
    emitLifecycle(t.events, t.clock, t.logger, {
      type,
      kind: 'server',
      name: t.name,
      ...(this.key !== undefined ? { key: this.key } : {}),
      ...(reason !== undefined ? { reason } : {}),
      restarts: this.restartCount,
    });
  }

  // ---------------------------------------------------------------- timers

  /**
   * Delivers `message` to the server's info handler after `delayMs` (OTP `Process.send_after(self(), …)`).
   * The timer belongs to the current instance: it is cancelled if the server stops, crashes or restarts.
   */
  sendAfter(message: unknown, delayMs: number): ServerTimer {
    if (this.t.info === undefined) {
      throw new RangeError(
        `${this.name} has no @HandleInfo handler to receive what sendAfter() sends; add one or use castAfter()`,
      );
    }
    return this.addTimer(INFO, 'info', message, delayMs, 'sendAfter');
  }

  /** Casts `name(...args)` to the server itself after `delayMs`; cancelled like {@link sendAfter}. */
  castAfter(delayMs: number, name: string, args: readonly unknown[]): ServerTimer {
    if (!this.t.casts.has(name))
      throw new UnknownMessageError(this.name, 'cast', name, [...this.t.casts.keys()]);
    return this.addTimer(CAST, name, args, delayMs, 'castAfter');
  }

  /**
   * Sets the instance's idle timeout (OTP's `{:noreply, state, timeout}`): once no message arrived for
   * `ms`, the idle handler runs. `Infinity` turns it off. Applies from now on; a restart goes back to the
   * spec's.
   */
  setIdleTimeout(ms: number): void {
    if (this.t.idleHandler === undefined) {
      throw new RangeError(`${this.name} has no idle handler (@OnIdle) to run after an idle timeout`);
    }
    if (!(ms === Infinity || (Number.isFinite(ms) && ms > 0))) {
      throw new RangeError(
        `${this.name}: the idle timeout must be a number of ms > 0 or Infinity, got ${ms}`,
      );
    }
    this.idleAfter = ms;
    if (this.state !== 'running') return;
    this.stopIdleWatch();
    if (ms !== Infinity || this.t.idleTimeout !== Infinity) this.watchIdle(false);
  }

  /** The process's periodic jobs (empty if it has none), for pausing, resuming and triggering them. */
  periodicJobs(): readonly PeriodicJob[] {
    const specs = this.t.periodic;
    const jobs = (this.jobs ??= []);
    // A host may add specs until the server starts (factory-made schedules): make the missing jobs.
    if (specs !== undefined && jobs.length < specs.length) {
      for (let i = jobs.length; i < specs.length; i++) {
        jobs.push(new PeriodicJob(specs[i] as never, this, this.t.clock, this.t.random));
      }
    }
    return jobs;
  }

  private addTimer(
    kind: number,
    name: string,
    payload: unknown,
    delayMs: number,
    method: string,
  ): ServerTimer {
    if (this.state !== 'running' && this.state !== 'starting') {
      throw this.notRunning(`${method}()`, 'a server sets timers for itself from @Init or a handler');
    }
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
      throw new RangeError(`${this.name}: ${method}() needs a delay in ms >= 0, got ${delayMs}`);
    }
    const timer = new ProcessTimer(this, this.t.clock.now() + delayMs, kind, name, payload);
    (this.timers ??= new Set()).add(timer);
    return timer;
  }

  /** @internal A send-after timer fired. */
  deliver(timer: ProcessTimer): void {
    this.timers?.delete(timer);
    // Timers are cancelled when the instance stops running; one set in @Init may fire before it ends.
    if (this.state !== 'running' && this.state !== 'starting') return;
    const handler = timer.kind === CAST ? this.t.casts.get(timer.name) : this.t.info;
    this.enqueue(timer.kind, timer.name, handler, timer.payload);
  }

  /** @internal A send-after timer was cancelled. */
  forget(timer: ProcessTimer): void {
    this.timers?.delete(timer);
  }

  /** @internal Queues a tick of `job`, or starts it as a task (only while running). */
  enqueueTick(job: PeriodicJob): boolean {
    if (this.state !== 'running') return false;
    if (job.spec.runAs === 'task') return this.runAsTask(job);
    this.enqueue(TICK, job.spec.name, job.spec.handler as AnyHandler, job);
    return true;
  }

  /**
   * Starts a run of `job` as a supervised task, beside the mailbox, with the current instance as `this`
   * (it keeps that instance if the server restarts meanwhile). A failure is the task supervisor's to log;
   * the job counts it and the server goes on.
   */
  private runAsTask(job: PeriodicJob): boolean {
    const tasks = this.t.tasks;
    if (tasks === undefined) return false; // checked when the template was made
    const instance = this.instance as T;
    const handler = job.spec.handler as unknown as (this: T, signal: AbortSignal) => unknown;
    const clock = this.t.clock;
    job.began(clock.now());
    try {
      tasks.run(
        (signal) => handler.call(instance, signal),
        { name: job.name },
        (outcome) => {
          if ('ok' in outcome && !outcome.ok) job.failed(clock.now());
          else job.finished(clock.now());
          this.handledTicks++;
          job.taskEnded();
        },
      );
    } catch (error) {
      this.t.logger.error(`${job.name}: could not start its run as a task`, error);
      job.failed(clock.now());
    }
    return true;
  }

  private startJobs(): void {
    if (this.t.periodic === undefined) return;
    for (const job of this.periodicJobs()) job.start(true);
  }

  /**
   * Cancels the instance's periodic ticks, send-after timers and idle timeout, leaving it running to
   * serve and drain messages: the first step of an application shutdown, so no timer fires while the
   * tree stops.
   */
  cancelTimers(): void {
    if (this.state === 'running' || this.state === 'starting') this.stopTimers();
  }

  /** The instance stops running: no tick, send-after or idle timeout may fire for it any more. */
  private stopTimers(): void {
    this.stopIdleWatch();
    this.overflowCounter?.flush();
    const jobs = this.jobs;
    if (jobs !== undefined) for (const job of jobs) job.stop();
    const timers = this.timers;
    if (timers !== undefined && timers.size > 0) {
      this.timers = undefined;
      for (const timer of timers) timer.cancel();
    }
  }

  /** Arms the idle checks; `fresh` (a new instance) also restarts the eviction count. */
  private watchIdle(fresh: boolean): void {
    const idle = (this.idle ??= {
      timer: undefined,
      since: 0,
      contact: 0,
      touched: false,
      handled: false,
      notified: false,
      fire: () => this.checkIdle(),
    });
    const now = this.t.clock.now();
    idle.since = now;
    if (fresh) idle.contact = now;
    idle.notified = false;
    if (idle.timer === undefined) idle.timer = this.t.clock.setTimer(idle.fire, this.nextIdleCheck(0, 0));
  }

  /** Ms until the next idle threshold, `quietFor` ms after the last message, `aloneFor` after the last contact. */
  private nextIdleCheck(quietFor: number, aloneFor: number): number {
    return Math.min(this.idleAfter - quietFor, this.t.idleTimeout - aloneFor);
  }

  private checkIdle(): void {
    const idle = this.idle as IdleWatch;
    idle.timer = undefined;
    if (this.state !== 'running') return;
    let quietFor = 0;
    let aloneFor = 0;
    if (!this.busy && this.mailboxLength === 0) {
      const now = this.t.clock.now();
      quietFor = now - idle.since;
      aloneFor = now - idle.contact;
      if (aloneFor >= this.t.idleTimeout) {
        this.t.onIdle?.(this);
        return;
      }
      if (!idle.notified && quietFor >= this.idleAfter) {
        idle.notified = true;
        this.enqueue(IDLE, 'idle', this.t.idleHandler, undefined);
        quietFor = 0; // its run counts as a message: check again a full timeout after it
      } else if (quietFor >= this.idleAfter) {
        quietFor = 0; // the idle message is still waiting: check again a full timeout later
      }
    }
    const wait = this.nextIdleCheck(quietFor, aloneFor);
    if (wait !== Infinity) idle.timer = this.t.clock.setTimer(idle.fire, wait);
  }

  private stopIdleWatch(): void {
    const idle = this.idle;
    if (idle?.timer !== undefined) {
      this.t.clock.clearTimer(idle.timer);
      idle.timer = undefined;
    }
  }

  /** Runs `work`, giving up after `timeoutMs` on the clock. Resolves undefined on success. */
  private runBounded(
    work: () => unknown,
    timeoutMs: number,
  ): Promise<{ timedOut: boolean; error?: unknown } | undefined> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      let done = false;
      const settle = (outcome: { timedOut: boolean; error?: unknown } | undefined): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) this.t.clock.clearTimer(timer);
        resolve(outcome);
      };
      if (timeoutMs !== Infinity) timer = this.t.clock.setTimer(() => settle({ timedOut: true }), timeoutMs);
      try {
        Promise.resolve(work()).then(
          () => settle(undefined),
          (error: unknown) => settle({ timedOut: false, error }),
        );
      } catch (error) {
        settle({ timedOut: false, error });
      }
    });
  }

  // ---------------------------------------------------------------- introspection

  /** A snapshot of the server's state for dashboards and debugging. */
  info(): ServerInfo {
    const running = this.state === 'running' && this.startedAt !== undefined;
    return {
      type: 'server',
      name: this.name,
      ...(this.key !== undefined ? { key: this.key } : {}),
      status: this.state,
      incarnation: this.instances,
      mailboxLength: this.mailboxLength,
      ...(this.t.capacity !== Infinity
        ? {
            mailbox: {
              capacity: this.t.capacity,
              overflow: this.t.overflow,
              refused: this.overflowCounter?.refused ?? 0,
              dropped: this.overflowCounter?.dropped ?? 0,
            },
          }
        : {}),
      busy: this.busy,
      ...(this.busy && this.mailbox !== undefined && this.instance !== undefined
        ? { handling: describeMessage(this.mailbox.kind, this.mailbox.name) }
        : {}),
      handled: {
        calls: this.handledCalls,
        casts: this.handledCasts,
        infos: this.handledInfos,
        ticks: this.handledTicks,
      },
      restarts: this.restartCount,
      ignoredReplies: this.ignoredReplies,
      dropped: this.droppedMessages,
      ...(this.lastCrash ? { lastCrash: this.lastCrash } : {}),
      ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
      uptimeMs: running ? this.t.clock.now() - (this.startedAt as number) : 0,
      ...(this.t.periodic !== undefined ? { periodic: this.periodicJobs().map((job) => job.info()) } : {}),
    };
  }
}
