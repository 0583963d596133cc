import { CallDeadlines } from './call-deadlines.js';
import type { Clock, TimerHandle } from './clock.js';
import { CallTimeoutError } from './errors/call-timeout.error.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { ServerCrashedError } from './errors/server-crashed.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import { UnknownMessageError } from './errors/unknown-message.error.js';
import { type CrashReason, type ExitReason, describeError, describeExit } from './exit-reason.js';
import { consoleLogger, type RuntimeLogger } from './logger.js';
import { Mailbox } from './mailbox.js';
import type { Handler, RestartType, ServerInfo, ServerSpec, ServerStatus } from './server-spec.js';
import type { ExitListener, SupervisedChild } from './supervised-child.js';
import { SystemClock } from './system-clock.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** Messages handled back to back before yielding to the event loop, so one busy server cannot starve I/O. */
const SLICE = 1024;

const CALL = 0;
const CAST = 1;
const INFO = 2;
const GET_STATE = 3;
const KIND_NAMES = ['call', 'cast', 'info', 'getState'] as const;

type AnyHandler = (...args: unknown[]) => unknown;
type Settle = (value: unknown) => void;

/** What a call (or getState) waits on: its reply functions and deadline. One object per call. */
class PendingReply {
  settled = false;

  constructor(
    readonly name: string,
    readonly args: readonly unknown[],
    private resolve: Settle | undefined,
    private reject: Settle | undefined,
    readonly deadline: number,
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

function describeMessage(kind: number, name: string): string {
  return kind === INFO ? 'an info message' : `${KIND_NAMES[kind]} '${name}'`;
}

function awaitsReply(kind: number): boolean {
  return kind === CALL || kind === GET_STATE;
}

/** Options the host (a supervisor or the Nest module) gives every process. */
export interface ServerProcessOptions {
  clock?: Clock;
  logger?: RuntimeLogger;
  /** Used when the spec sets no `callTimeout`. */
  defaultCallTimeout?: number;
  /** Used when the spec sets no `shutdownTimeout`. */
  defaultShutdownTimeout?: number;
}

/** Options for {@link ServerProcess.stop}. */
export interface StopOptions {
  /** How long draining and `@Terminate` may take before the server is killed (default: the spec's). */
  timeout?: number;
  /** Handle messages already queued before stopping (default true). */
  drain?: boolean;
}

/**
 * A server: one instance whose handlers run strictly one message at a time, async handlers included,
 * fed by an O(1) mailbox. The process outlives its instances: after a crash its supervisor calls
 * {@link ServerProcess.restart}, which creates a fresh instance from the spec and runs `init` again,
 * while callers keep the same process.
 */
export class ServerProcess<T extends object = object> implements SupervisedChild {
  readonly name: string;
  readonly restartType: RestartType;
  readonly shutdownTimeout: number;

  private readonly clock: Clock;
  private readonly logger: RuntimeLogger;
  private readonly callTimeout: number;
  private readonly initTimeout: number;
  private readonly calls: Map<string, AnyHandler>;
  private readonly casts: Map<string, AnyHandler>;
  // The message being handled stays in the mailbox's `kind`/`name`/`handler`/`payload` fields until
  // the next shift: nothing is shifted while a handler runs, so they are the current message.
  private readonly mailbox = new Mailbox<AnyHandler, unknown>();
  private readonly deadlines: CallDeadlines<PendingReply>;

  private state: ServerStatus = 'idle';
  private instance: T | undefined;
  private instances = 0;
  /** Bumped whenever an instance is detached (crash, kill, abandon); stale continuations compare it. */
  private epoch = 0;
  private busy = false;
  private drainScheduled = false;
  private sliceCount = 0;
  private exitListener: ExitListener | undefined;
  private stopping: Promise<void> | undefined;
  private onQuiet: (() => void) | undefined;

  private restartCount = 0;
  private handledCalls = 0;
  private handledCasts = 0;
  private handledInfos = 0;
  private startedAt: number | undefined;
  private lastCrash: ServerInfo['lastCrash'];

  // Continuations of async handlers, made once per incarnation (not per message). They carry the
  // incarnation so a handler that settles after its instance was killed cannot touch the next one.
  private onHandlerDone: Settle = noop;
  private onHandlerFailed: Settle = noop;
  // `new Promise(executor)` calls the executor synchronously; one shared executor parks the settle
  // functions here instead of allocating a closure per call.
  private parkedResolve: Settle | undefined;
  private parkedReject: Settle | undefined;
  private readonly park = (resolve: Settle, reject: Settle): void => {
    this.parkedResolve = resolve;
    this.parkedReject = reject;
  };
  private readonly drainTask = (): void => {
    this.drainScheduled = false;
    this.drain();
  };

  constructor(
    private readonly spec: ServerSpec<T>,
    options: ServerProcessOptions = {},
  ) {
    this.name = spec.name;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    this.callTimeout = checkTimeout(spec, 'callTimeout', spec.callTimeout ?? options.defaultCallTimeout);
    this.initTimeout = checkTimeout(spec, 'initTimeout', spec.initTimeout);
    this.shutdownTimeout = checkTimeout(
      spec,
      'shutdownTimeout',
      spec.shutdownTimeout ?? options.defaultShutdownTimeout,
    );
    this.restartType = spec.restart ?? 'permanent';
    this.calls = toHandlerMap(spec.calls);
    this.casts = toHandlerMap(spec.casts);
    this.deadlines = new CallDeadlines<PendingReply>(this.clock, (pending) =>
      pending.fail(new CallTimeoutError(this.name, pending.name, pending.timeoutMs)),
    );
  }

  /** The current lifecycle state. */
  get status(): ServerStatus {
    return this.state;
  }

  /** Which instance is live: 1 for the first, +1 per restart. */
  get incarnation(): number {
    return this.instances;
  }

  /** Registers the one listener (the supervisor) told about every exit. */
  setExitListener(listener: ExitListener | undefined): void {
    this.exitListener = listener;
  }

  // ---------------------------------------------------------------- messages (hot path)

  /**
   * Sends a call and resolves with the handler's return value (awaited). Rejects with
   * {@link CallTimeoutError}, {@link ServerCrashedError}, {@link ServerNotRunningError} or
   * {@link UnknownMessageError}; it always settles exactly once.
   */
  call(name: string, args: readonly unknown[], timeoutMs: number = this.callTimeout): Promise<unknown> {
    const handler = this.calls.get(name);
    if (handler === undefined) {
      return Promise.reject(new UnknownMessageError(this.name, 'call', name, [...this.calls.keys()]));
    }
    if (!this.accepting()) return Promise.reject(this.notRunning(`call '${name}'`));
    const finite = timeoutMs !== Infinity;
    if (finite && !(timeoutMs >= 0)) {
      return Promise.reject(
        new RangeError(
          `Call timeout for '${name}' on ${this.name} must be >= 0 ms or Infinity, got ${timeoutMs}`,
        ),
      );
    }
    const promise = new Promise<unknown>(this.park);
    const pending = new PendingReply(
      name,
      args,
      this.parkedResolve,
      this.parkedReject,
      finite ? this.clock.now() + timeoutMs : Infinity,
      timeoutMs,
    );
    this.parkedResolve = this.parkedReject = undefined;
    if (finite) this.deadlines.track(pending);
    this.enqueue(CALL, name, handler, pending);
    return promise;
  }

  /**
   * Queues a cast and returns at once. A throwing handler crashes the server (it is never an unhandled
   * rejection). Throws {@link UnknownMessageError} or {@link ServerNotRunningError} synchronously, so a
   * message is never silently lost.
   */
  cast(name: string, args: readonly unknown[]): void {
    const handler = this.casts.get(name);
    if (handler === undefined) throw new UnknownMessageError(this.name, 'cast', name, [...this.casts.keys()]);
    if (!this.accepting()) throw this.notRunning(`cast '${name}'`);
    this.enqueue(CAST, name, handler, args);
  }

  /** Queues any message for the server's info handler (OTP `send`/`handle_info`). */
  send(message: unknown): void {
    if (!this.accepting()) throw this.notRunning('an info message');
    this.enqueue(INFO, 'info', this.spec.info as AnyHandler | undefined, message);
  }

  /**
   * Resolves with a shallow copy of the instance's own fields, taken between messages (after every
   * message sent before it), like OTP's `:sys.get_state`. For debugging and tests.
   */
  getState(timeoutMs: number = this.callTimeout): Promise<Record<string, unknown>> {
    if (!this.accepting()) return Promise.reject(this.notRunning('getState'));
    const promise = new Promise<unknown>(this.park);
    const pending = new PendingReply(
      'getState',
      [],
      this.parkedResolve,
      this.parkedReject,
      timeoutMs === Infinity ? Infinity : this.clock.now() + timeoutMs,
      timeoutMs,
    );
    this.parkedResolve = this.parkedReject = undefined;
    if (timeoutMs !== Infinity) this.deadlines.track(pending);
    this.enqueue(GET_STATE, 'getState', undefined, pending);
    return promise as Promise<Record<string, unknown>>;
  }

  private accepting(): boolean {
    const s = this.state;
    return s === 'running' || s === 'starting' || s === 'idle' || s === 'restarting';
  }

  private enqueue(kind: number, name: string, handler: AnyHandler | undefined, payload: unknown): void {
    this.mailbox.push(kind, name, handler, payload);
    if (!this.busy && !this.drainScheduled && (this.state === 'running' || this.state === 'stopping')) {
      this.drainScheduled = true;
      queueMicrotask(this.drainTask);
    }
  }

  /** Handles queued messages one at a time until the mailbox is empty or a handler goes async. */
  private drain(): void {
    if (this.busy || !(this.state === 'running' || this.state === 'stopping')) return;
    const mailbox = this.mailbox;
    while (mailbox.shift()) {
      if (++this.sliceCount > SLICE) {
        // Handle the taken message on the next turn: a long queue must not block I/O.
        this.busy = true;
        setImmediate(this.resumeAfterYield);
        return;
      }
      if (!this.handleTaken()) return;
    }
    mailbox.clearTaken();
    this.sliceCount = 0;
    if (this.state === 'stopping' && this.onQuiet !== undefined) this.onQuiet();
  }

  private readonly resumeAfterYield = (): void => {
    if (!this.busy) return; // killed or crashed meanwhile
    this.busy = false;
    this.sliceCount = 0;
    if (!(this.state === 'running' || this.state === 'stopping')) return;
    if (this.handleTaken()) this.drain();
  };

  /** Runs the message last taken from the mailbox. True when it finished synchronously. */
  private handleTaken(): boolean {
    const mailbox = this.mailbox;
    const kind = mailbox.kind;
    if (kind === GET_STATE) {
      (mailbox.payload as PendingReply).reply({ ...(this.instance as object) });
      this.deadlines.release();
      return true;
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
      } else if (mailbox.handler !== undefined) {
        result = mailbox.handler.call(this.instance, mailbox.payload);
      } else {
        this.logger.debug(
          `${this.name} has no @HandleInfo handler; ignored ${describeError(mailbox.payload)}`,
        );
        return true;
      }
    } catch (error) {
      this.crash(error);
      return false;
    }
    if (isThenable(result)) {
      this.busy = true;
      result.then(this.onHandlerDone, this.onHandlerFailed);
      return false;
    }
    this.finish(result);
    return true;
  }

  private finish(result: unknown): void {
    switch (this.mailbox.kind) {
      case CALL:
        this.handledCalls++;
        (this.mailbox.payload as PendingReply).reply(result);
        this.deadlines.release();
        break;
      case CAST:
        this.handledCasts++;
        break;
      default:
        this.handledInfos++;
    }
  }

  private makeContinuations(epoch: number): void {
    this.onHandlerDone = (value) => {
      if (epoch !== this.epoch || !this.busy) return;
      this.busy = false;
      this.finish(value);
      this.drain();
    };
    this.onHandlerFailed = (error) => {
      if (epoch !== this.epoch || !this.busy) return;
      this.busy = false;
      this.crash(error);
    };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Creates the first instance and runs `init`. Rejects with {@link InitFailedError}. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`${this.name} was already started (status ${this.state})`);
    const failure = await this.boot();
    if (failure !== undefined) {
      this.state = 'failed';
      this.failQueued((what) => this.notRunning(what, 'it failed to start'));
      throw failure;
    }
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
      this.logger.error(failure.message, failure.cause ?? failure);
      this.exit({ kind: 'crash', error: failure, during: failure.step });
      return false;
    }
    return this.state === 'running';
  }

  /** Runs the factory and `init`; on success the server is running. Returns the failure otherwise. */
  private async boot(): Promise<InitFailedError | undefined> {
    this.state = 'starting';
    const epoch = ++this.epoch;
    this.makeContinuations(epoch);
    this.instance = undefined;
    let instance: T;
    try {
      instance = await this.spec.create(++this.instances);
    } catch (error) {
      return this.bootFailed(new InitFailedError(this.name, 'creating the instance', error));
    }
    if (epoch !== this.epoch) return undefined;
    this.instance = instance;
    const init = this.spec.init;
    if (init !== undefined) {
      const failure = await this.runBounded(() => init.call(instance), this.initTimeout);
      if (epoch !== this.epoch) return undefined;
      if (failure !== undefined) {
        return this.bootFailed(
          failure.timedOut
            ? new InitFailedError(this.name, `@Init ${init.name}()`, undefined, this.initTimeout)
            : new InitFailedError(this.name, `@Init ${init.name}()`, failure.error),
        );
      }
    }
    if (this.state !== 'starting') return undefined; // stopped while starting
    this.state = 'running';
    this.startedAt = this.clock.now();
    this.drainScheduled = true;
    queueMicrotask(this.drainTask);
    return undefined;
  }

  private bootFailed(error: InitFailedError): InitFailedError {
    this.lastCrash = { at: this.clock.now(), during: error.step, error: error.message };
    return error;
  }

  /**
   * Stops the server: refuses new messages, handles those already queued (unless `drain: false`),
   * runs `@Terminate(reason)`, then reports the exit to the supervisor. If that takes longer than the
   * shutdown timeout the server is killed: callers still waiting get {@link ServerNotRunningError} and
   * `@Terminate` does not run (OTP's brutal kill).
   */
  stop(reason: ExitReason = 'normal', options: StopOptions = {}): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    this.stopping = this.runStop(reason, options).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async runStop(reason: ExitReason, options: StopOptions): Promise<void> {
    const timeout = options.timeout ?? this.shutdownTimeout;
    const s = this.state;
    if (s === 'stopped' || s === 'failed') return;
    if (s === 'idle' || s === 'restarting' || s === 'starting') {
      // No instance to drain or terminate (or it is still being made: abandon it).
      this.epoch++;
      this.state = 'stopped';
      this.failQueued((what) => this.notRunning(what, 'it stopped before it was running'));
      this.instance = undefined;
      this.exit(reason, true);
      return;
    }
    this.state = 'stopping';
    if (options.drain === false) {
      this.failQueued((what) => this.notRunning(what, 'stopped without draining its mailbox'));
    }
    const epoch = this.epoch;
    const instance = this.instance as T;
    const terminate = this.spec.terminate;
    const outcome = await this.runBounded(async () => {
      await this.quiet();
      if (epoch !== this.epoch) return; // a handler crashed while draining; it terminated
      if (terminate !== undefined) {
        try {
          await terminate.call(instance, reason);
        } catch (error) {
          this.logger.error(`${this.name}: @Terminate ${terminate.name}() threw while stopping`, error);
        }
      }
    }, timeout);
    if (epoch !== this.epoch) return; // crashed while draining: the crash path took over
    this.epoch++; // detach any handler still running from this process
    const mailbox = this.mailbox;
    const inFlight = this.busy ? describeMessage(mailbox.kind, mailbox.name) : undefined;
    const inFlightReply =
      this.busy && awaitsReply(mailbox.kind) ? (mailbox.payload as PendingReply) : undefined;
    this.busy = false;
    this.drainScheduled = false;
    this.instance = undefined;
    this.startedAt = undefined;
    if (outcome?.timedOut) {
      const left = mailbox.length + (inFlight ? 1 : 0);
      this.logger.warn(
        `${this.name} did not stop within ${timeout} ms (${left} message(s) unhandled); killed without @Terminate`,
      );
      this.state = 'stopped';
      inFlightReply?.fail(this.notRunning(inFlight as string, 'killed after its shutdown timeout'));
      this.failQueued((what) => this.notRunning(what, 'killed after its shutdown timeout'));
      this.exit('killed', true);
      return;
    }
    this.state = 'stopped';
    this.exit(reason, true);
  }

  /** Resolves once the mailbox is empty and no handler runs (only while stopping). */
  private quiet(): Promise<void> {
    if (!this.busy && this.mailbox.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.onQuiet = () => {
        this.onQuiet = undefined;
        resolve();
      };
      if (!this.busy && !this.drainScheduled) {
        this.drainScheduled = true;
        queueMicrotask(this.drainTask);
      }
    });
  }

  /** A handler threw: fail the callers, run `@Terminate`, then let the supervisor decide. */
  private crash(error: unknown): void {
    const mailbox = this.mailbox;
    const during = describeMessage(mailbox.kind, mailbox.name);
    const inFlightReply = awaitsReply(mailbox.kind) ? (mailbox.payload as PendingReply) : undefined;
    const wasStopping = this.state === 'stopping';
    const epoch = ++this.epoch; // detach the crashed instance
    const instance = this.instance as T;
    this.instance = undefined;
    this.startedAt = undefined;
    this.busy = true; // nothing runs until the exit is decided
    this.state = wasStopping ? 'stopping' : 'restarting';
    this.lastCrash = { at: this.clock.now(), during, error: describeError(error) };
    this.logger.error(`${this.name} crashed while handling ${during}: ${describeError(error)}`, error);
    inFlightReply?.fail(new ServerCrashedError(this.name, during, error));
    let dropped = 0;
    mailbox.drain((kind, name, payload) => {
      if (awaitsReply(kind)) {
        (payload as PendingReply).fail(
          new ServerCrashedError(this.name, during, error, describeMessage(kind, name)),
        );
      } else dropped++;
    });
    this.deadlines.clear();
    if (dropped > 0)
      this.logger.warn(`${this.name}: ${dropped} queued cast/info message(s) were lost in the crash`);
    const reason: CrashReason = { kind: 'crash', error, during };
    const terminate = this.spec.terminate;
    const afterTerminate = (): void => {
      if (this.epoch !== epoch) return;
      this.busy = false;
      if (wasStopping) {
        // A crash while draining for shutdown ends the stop.
        this.state = 'stopped';
        this.onQuiet?.();
        this.exit(reason, true);
      } else this.exit(reason);
    };
    if (terminate === undefined) {
      afterTerminate();
      return;
    }
    void this.runBounded(() => terminate.call(instance, reason), this.shutdownTimeout).then((outcome) => {
      if (outcome?.timedOut)
        this.logger.warn(`${this.name}: @Terminate ${terminate.name}() timed out after a crash`);
      else if (outcome)
        this.logger.error(`${this.name}: @Terminate ${terminate.name}() threw after a crash`, outcome.error);
      afterTerminate();
    });
  }

  /**
   * Reports an exit. A listener that will restart the server keeps it in `restarting` (messages wait);
   * otherwise the exit is final and everything still queued is refused.
   */
  private exit(reason: ExitReason, stopped = false): void {
    const restart = this.exitListener?.(this, reason) ?? false;
    if (restart) {
      this.state = 'restarting';
      return;
    }
    if (!stopped) this.state = typeof reason === 'string' ? 'stopped' : 'failed';
    this.failQueued((what) => this.notRunning(what, `it exited (${describeExit(reason)})`));
  }

  /** Refuses everything in the mailbox: calls get `makeError`, casts and infos are counted and logged. */
  private failQueued(makeError: (message: string) => Error): void {
    let dropped = 0;
    this.mailbox.drain((kind, name, payload) => {
      if (awaitsReply(kind)) (payload as PendingReply).fail(makeError(describeMessage(kind, name)));
      else dropped++;
    });
    this.deadlines.release();
    if (dropped > 0)
      this.logger.warn(`${this.name}: ${dropped} queued cast/info message(s) were not handled`);
  }

  private notRunning(what: string, detail?: string): ServerNotRunningError {
    return new ServerNotRunningError(this.name, what, this.state, detail);
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
        if (timer !== undefined) this.clock.clearTimer(timer);
        resolve(outcome);
      };
      if (timeoutMs !== Infinity) timer = this.clock.setTimer(() => settle({ timedOut: true }), timeoutMs);
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
      status: this.state,
      incarnation: this.instances,
      mailboxLength: this.mailbox.length,
      busy: this.busy,
      handled: { calls: this.handledCalls, casts: this.handledCasts, infos: this.handledInfos },
      restarts: this.restartCount,
      ...(this.lastCrash ? { lastCrash: this.lastCrash } : {}),
      ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
      uptimeMs: running ? this.clock.now() - (this.startedAt as number) : 0,
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function toHandlerMap<T>(record: Readonly<Record<string, Handler<T>>> | undefined): Map<string, AnyHandler> {
  const map = new Map<string, AnyHandler>();
  if (record) for (const key of Object.keys(record)) map.set(key, record[key] as unknown as AnyHandler);
  return map;
}

function checkTimeout(spec: { name: string }, option: string, value: number | undefined): number {
  const ms = value ?? DEFAULT_TIMEOUT_MS;
  if (ms === Infinity || (Number.isFinite(ms) && ms >= 0)) return ms;
  throw new RangeError(
    `${spec.name}: ${option} must be a number of ms >= 0 or Infinity, got ${String(value)}`,
  );
}

function noop(): void {}
