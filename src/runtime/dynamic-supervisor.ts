import type { Clock } from './clock.js';
import type { DrainScheduler } from './drain-scheduler.js';
import { AlreadyStartedError } from './errors/already-started.error.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { MaxChildrenError } from './errors/max-children.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import { microtask } from './microtask.js';
import { type CrashReason, type ExitReason, describeExit } from './exit-reason.js';
import { type LifecycleEventType, type LifecycleListener, emitSupervisorEvent } from './lifecycle-event.js';
import { consoleLogger, type RuntimeLogger } from './logger.js';
import { RestartIntensity } from './restart-intensity.js';
import { ServerProcess } from './server-process.js';
import type { RestartType, ServerInfo, ServerSpec } from './server-spec.js';
import { ServerTemplate, type TaskRunner } from './server-template.js';
import { type ExitListener, type SupervisedChild, restartWanted } from './supervised-child.js';
import type { SupervisorStatus } from './supervisor.js';
import { SystemClock } from './system-clock.js';
import { withinTimeout } from './within-timeout.js';

/** Options of a {@link DynamicSupervisor}. */
export interface DynamicSupervisorOptions<T extends object> {
  /** Name used in logs and snapshots. */
  name: string;
  /** The definition every child is started from; its `create` and `init` receive the child's args. */
  spec: ServerSpec<T>;
  /** Children allowed at once (default `Infinity`); `startChild` beyond it rejects with MaxChildrenError. */
  maxChildren?: number;
  /** Restarts allowed within `withinMs`, counted over all children (default 3). */
  maxRestarts?: number;
  /** The window for `maxRestarts`, in ms (default 5000). */
  withinMs?: number;
  /** A child that got no message for this many ms is stopped (reason `normal`, `@Terminate` runs). */
  idleTimeout?: number;
  /** As a child of another supervisor: when it is restarted (default `permanent`). */
  restart?: RestartType;
  /** As a child: how long stopping may take (default `Infinity`: waits for its children). */
  shutdownTimeout?: number;
  /** Default call timeout of the children (when the spec sets none). */
  defaultCallTimeout?: number;
  /** Default shutdown timeout of the children (when the spec sets none). */
  defaultShutdownTimeout?: number;
  /** Random numbers in [0, 1) for periodic jitter (default `Math.random`). */
  random?: () => number;
  clock?: Clock;
  logger?: RuntimeLogger;
  events?: LifecycleListener;
  /** Drains the children's mailboxes (default: one for all the children, none shared beyond them). */
  scheduler?: DrainScheduler;
  /** Runs the children's periodic jobs declared with `runAs: 'task'` (required by them). */
  tasks?: TaskRunner;
}

/** One child as listed by {@link DynamicSupervisor.whichChildren}. */
export interface DynamicChildInfo {
  readonly name: string;
  readonly key?: string;
  readonly status: ServerInfo['status'];
  readonly restarts: number;
}

/** A point-in-time view of a dynamic supervisor. `children` lists at most the first 100. */
export interface DynamicSupervisorInfo {
  readonly type: 'dynamic_supervisor';
  readonly name: string;
  readonly status: SupervisorStatus;
  readonly maxChildren: number;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly restarts: number;
  readonly childCount: number;
  readonly children: readonly ServerInfo[];
}

const LISTED_CHILDREN = 100;

/**
 * Starts children of one definition on demand — one server per game, per user, per connection — each
 * with its own start arguments and optionally under a unique key (OTP's DynamicSupervisor plus a
 * unique Registry). Children are restarted one for one according to their restart type, with the
 * restart intensity counted over all of them; exceeding it stops every child and escalates to the
 * parent. A child that exits for good is forgotten at once (its key is free again).
 *
 * Starting a child is cheap: the definition's handler tables and options are shared, and a child whose
 * factory and `init` are synchronous starts without a timer.
 */
export class DynamicSupervisor<T extends object = object> implements SupervisedChild {
  readonly name: string;
  readonly restartType: RestartType;
  readonly shutdownTimeout: number;
  private readonly template: ServerTemplate<T>;
  private readonly maxChildren: number;
  private readonly intensity: RestartIntensity;
  private readonly clock: Clock;
  private readonly logger: RuntimeLogger;
  private readonly children = new Set<ServerProcess<T>>();
  private readonly byKey = new Map<string, ServerProcess<T>>();
  /** Children being stopped on purpose (terminateChild, idle eviction): their exit is final. */
  private readonly terminating = new Set<ServerProcess<T>>();
  /** Starts still running an async `init`, so `startOrGet` can wait for them. */
  private readonly starting = new Map<ServerProcess<T>, Promise<ServerProcess<T>>>();
  private state: SupervisorStatus = 'idle';
  private restartCount = 0;
  private exitListener: ExitListener | undefined;
  private readonly listener = (child: SupervisedChild, reason: ExitReason): boolean =>
    this.onChildExit(child as ServerProcess<T>, reason);

  constructor(private readonly options: DynamicSupervisorOptions<T>) {
    this.name = options.name;
    this.restartType = options.restart ?? 'permanent';
    this.shutdownTimeout = options.shutdownTimeout ?? Infinity;
    this.maxChildren = options.maxChildren ?? Infinity;
    if (!(this.maxChildren === Infinity || (Number.isInteger(this.maxChildren) && this.maxChildren >= 0))) {
      throw new RangeError(
        `${this.name}: maxChildren must be an integer >= 0 or Infinity, got ${this.maxChildren}`,
      );
    }
    this.intensity = new RestartIntensity(options.maxRestarts ?? 3, options.withinMs ?? 5000, this.name);
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    this.template = new ServerTemplate(options.spec, {
      clock: this.clock,
      logger: this.logger,
      events: options.events,
      defaultCallTimeout: options.defaultCallTimeout,
      defaultShutdownTimeout: options.defaultShutdownTimeout,
      random: options.random,
      scheduler: options.scheduler,
      tasks: options.tasks,
      idleTimeout: options.idleTimeout,
      onIdle:
        options.idleTimeout === undefined ? undefined : (child) => this.evict(child as ServerProcess<T>),
    });
  }

  get status(): SupervisorStatus {
    return this.state;
  }

  setExitListener(listener: ExitListener | undefined): void {
    this.exitListener = listener;
  }

  /** Starts with no children; they come from {@link DynamicSupervisor.startChild}. */
  start(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error(`${this.name} was already started`));
    this.state = 'running';
    this.emit('started');
    return Promise.resolve();
  }

  /**
   * Starts a child with `args` (passed to the definition's `create` and `init`), under `key` if given.
   * Resolves once its `init` finished. Rejects with {@link MaxChildrenError}, {@link AlreadyStartedError}
   * (key taken), {@link InitFailedError}, {@link ServerNotRunningError} when the supervisor is not
   * running, or a TypeError for a key that is not a string.
   */
  startChild(args?: unknown, options?: { key?: string }): Promise<ServerProcess<T>> {
    const key = options?.key;
    const refusal = this.refusal(key);
    if (refusal !== undefined) return Promise.reject(refusal);
    return this.launch(args, key);
  }

  /**
   * The child under `key`, started with `args` if there is none yet. Concurrent calls for one key get
   * the same child: the key is taken the moment the first call starts it.
   */
  startOrGet(key: string, args?: unknown): Promise<ServerProcess<T>> {
    const existing = this.byKey.get(key);
    if (existing !== undefined) return this.starting.get(existing) ?? Promise.resolve(existing);
    return this.startChild(args, { key });
  }

  /** The child under `key`, or undefined. */
  lookup(key: string): ServerProcess<T> | undefined {
    return this.byKey.get(key);
  }

  /**
   * Stops a child (by key or process) with reason `shutdown`, running its `@Terminate`; it is not
   * restarted. Resolves false if there was no such child.
   */
  async terminateChild(child: string | ServerProcess<T>): Promise<boolean> {
    const process = typeof child === 'string' ? this.byKey.get(child) : child;
    if (process === undefined || !this.children.has(process)) return false;
    this.terminating.add(process);
    await process.stop('shutdown');
    return true;
  }

  /** Every child: name, key, status and restarts (OTP `which_children`). */
  whichChildren(): DynamicChildInfo[] {
    const list: DynamicChildInfo[] = [];
    for (const child of this.children) {
      list.push({
        name: child.name,
        ...(child.key !== undefined ? { key: child.key } : {}),
        status: child.status,
        restarts: child.info().restarts,
      });
    }
    return list;
  }

  /** Every child process, in start order. */
  processes(): IterableIterator<ServerProcess<T>> {
    return this.children.values();
  }

  /** How many children exist and how many are running (OTP `count_children`). */
  countChildren(): { total: number; running: number } {
    let running = 0;
    for (const child of this.children) if (child.status === 'running') running++;
    return { total: this.children.size, running };
  }

  /** The supervisor's own restart count as a child (the children restart individually). */
  restart(): Promise<boolean> {
    if (this.state !== 'stopped' && this.state !== 'gave_up')
      return Promise.resolve(this.state === 'running');
    this.restartCount++;
    this.intensity.reset();
    this.state = 'running';
    this.emit('restarted');
    return Promise.resolve(true);
  }

  /**
   * Stops every child concurrently (as OTP's DynamicSupervisor does), each within its own shutdown
   * timeout; they are forgotten, not restarted.
   */
  async stop(
    reason: ExitReason = 'shutdown',
    options: { drain?: boolean; timeout?: number } = {},
  ): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const gaveUp = this.state === 'gave_up';
    this.state = 'stopping';
    if (!gaveUp) {
      const timeout = options.timeout ?? Infinity;
      const stopping = this.stopAll(options.drain ?? true);
      if (!(await withinTimeout(stopping, timeout, this.clock))) {
        this.logger.warn(`${this.name} did not stop its children within ${timeout} ms; killing the rest`);
        for (const child of [...this.children]) child.kill();
      }
    }
    this.state = 'stopped';
    const restart = this.exitListener?.(this, reason) ?? false;
    if (!restart) this.emit('stopped', reason);
  }

  /** Kills every child at once (its own stop took longer than its shutdown timeout). */
  kill(): void {
    if (this.state === 'stopped' || this.state === 'idle') return;
    this.state = 'stopping';
    for (const child of [...this.children]) {
      this.terminating.add(child);
      child.kill();
    }
    this.state = 'stopped';
    const restart = this.exitListener?.(this, 'killed') ?? false;
    if (!restart) this.emit('stopped', 'killed');
  }

  info(): DynamicSupervisorInfo {
    const children: ServerInfo[] = [];
    for (const child of this.children) {
      if (children.length === LISTED_CHILDREN) break;
      children.push(child.info());
    }
    return {
      type: 'dynamic_supervisor',
      name: this.name,
      status: this.state,
      maxChildren: this.maxChildren,
      maxRestarts: this.intensity.maxRestarts,
      withinMs: this.intensity.withinMs,
      restarts: this.restartCount,
      childCount: this.children.size,
      children,
    };
  }

  private refusal(key: string | undefined): Error | undefined {
    if (this.state !== 'running') {
      return new ServerNotRunningError(
        this.name,
        'startChild()',
        this.state,
        'children can only be started while it runs',
      );
    }
    if (key !== undefined && typeof key !== 'string') {
      return new TypeError(
        `${this.name}: a child's key must be a string, got ${String(key)} (${typeof key}); convert it, e.g. String(id)`,
      );
    }
    if (key !== undefined && this.byKey.has(key)) return new AlreadyStartedError(this.name, key);
    if (this.children.size >= this.maxChildren) return new MaxChildrenError(this.name, this.maxChildren);
    return undefined;
  }

  private launch(args: unknown, key: string | undefined): Promise<ServerProcess<T>> {
    const child = new ServerProcess<T>(this.template, undefined, { key, args });
    child.setExitListener(this.listener);
    this.children.add(child);
    if (key !== undefined) this.byKey.set(key, child);
    const starting = child.start();
    // A synchronous factory and init leave the child running already: no reaction (and its two
    // closures and promise) per child, which adds up over a million children.
    if (child.status === 'running') return Promise.resolve(child);
    const started = starting.then(
      () => {
        this.starting.delete(child);
        return child;
      },
      (error: unknown) => {
        this.starting.delete(child);
        this.forget(child);
        if (error instanceof InitFailedError) error.under(this.name);
        throw error;
      },
    );
    this.starting.set(child, started);
    return started;
  }

  private forget(child: ServerProcess<T>): void {
    this.children.delete(child);
    this.terminating.delete(child);
    if (child.key !== undefined && this.byKey.get(child.key) === child) this.byKey.delete(child.key);
  }

  private evict(child: ServerProcess<T>): void {
    if (!this.children.has(child) || this.terminating.has(child)) return;
    this.logger.debug(
      `${this.name}: ${child.name} got no message for ${this.options.idleTimeout} ms; stopping it`,
    );
    this.terminating.add(child);
    void child.stop('normal');
  }

  private onChildExit(child: ServerProcess<T>, reason: ExitReason): boolean {
    if (this.terminating.has(child) || this.state !== 'running') {
      this.forget(child);
      return false;
    }
    const restartType = child.restartType;
    if (!restartWanted(child.name, restartType, reason, this.name, this.logger)) {
      this.forget(child);
      return false;
    }
    const now = this.clock.now();
    if (!this.intensity.allow(now)) {
      this.forget(child);
      this.giveUp(child, reason);
      return false;
    }
    const message =
      `${child.name} ${describeExit(reason)}; ${this.name} restarts it ` +
      `(restart ${this.intensity.recent(now)} of ${this.intensity.maxRestarts} within ${this.intensity.withinMs} ms)`;
    if (typeof reason !== 'string') this.logger.error(message, reason.error);
    else this.logger.warn(message);
    microtask(() => void child.restart());
    return true;
  }

  private giveUp(child: ServerProcess<T>, reason: ExitReason): void {
    this.state = 'gave_up';
    const error = this.intensity.exceeded(this.name, child.name, describeExit(reason));
    this.logger.error(
      `${error.message} Its ${this.children.size} other children are stopped` +
        (this.exitListener ? '; escalating to its supervisor.' : '.'),
      typeof reason === 'string' ? undefined : reason.error,
    );
    void Promise.resolve()
      .then(() => this.stopAll(false))
      .then(() => {
        const crash: CrashReason = { kind: 'crash', error, during: `supervising ${child.name}` };
        this.emit('gave_up', crash);
        this.exitListener?.(this, crash);
      });
  }

  private async stopAll(drain: boolean): Promise<void> {
    const children = [...this.children];
    for (const child of children) this.terminating.add(child);
    await Promise.all(
      children.map((child) =>
        child.stop('shutdown', { drain }).catch((error: unknown) => {
          this.logger.error(`${this.name}: stopping ${child.name} failed`, error);
        }),
      ),
    );
  }

  private emit(type: LifecycleEventType, reason?: ExitReason): void {
    const { name, restartCount: restarts } = this;
    emitSupervisorEvent(this.options.events, this.clock, this.logger, { name, restarts }, type, reason);
  }
}
