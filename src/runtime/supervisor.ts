import { type BackoffOptions, backoffDelay, checkBackoff } from './backoff.js';
import type { Clock, TimerHandle } from './clock.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { RestartIntensity } from './restart-intensity.js';
import { withinTimeout } from './within-timeout.js';
import { type CrashReason, type ExitReason, describeExit } from './exit-reason.js';
import { type LifecycleEventType, type LifecycleListener, emitSupervisorEvent } from './lifecycle-event.js';
import { consoleLogger, type RuntimeLogger } from './logger.js';
import { microtask } from './microtask.js';
import type { RestartType } from './server-spec.js';
import {
  type ChildInfo,
  type ExitListener,
  type SupervisedChild,
  restartWanted,
} from './supervised-child.js';
import { SystemClock } from './system-clock.js';

/**
 * What a supervisor restarts when a child exits (OTP strategies):
 * - `one_for_one`: only that child;
 * - `one_for_all`: every child (the others are stopped first, last to first);
 * - `rest_for_one`: that child and the ones started after it.
 */
export type RestartStrategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** Options of a {@link Supervisor}. */
export interface SupervisorOptions {
  /** Name used in logs and snapshots. */
  name: string;
  /** Default `one_for_one`. */
  strategy?: RestartStrategy;
  /** Restarts allowed within `withinMs` before the supervisor gives up (default 3). */
  maxRestarts?: number;
  /** The window for `maxRestarts`, in ms (default 5000). */
  withinMs?: number;
  /** As a child of another supervisor: when it is restarted (default `permanent`). */
  restart?: RestartType;
  /**
   * As a child: how long stopping may take before the parent moves on (default `Infinity`: a supervisor
   * waits for its subtree, each child of which has its own shutdown timeout).
   */
  shutdownTimeout?: number;
  /** Wait between restarts, growing exponentially (default: restart at once). */
  backoff?: BackoffOptions;
  clock?: Clock;
  logger?: RuntimeLogger;
  /** Receives started / restarted / gave_up / stopped events of this supervisor. */
  events?: LifecycleListener;
  /** Called once each time the restart limit is exceeded, after every child was stopped. */
  onGiveUp?: (supervisor: Supervisor, lastExit: { child: string; reason: ExitReason }) => void;
}

/**
 * How a supervisor treats one child, overriding what the child declares itself (OTP child spec):
 * where a supervisor lists a child, it may change its restart type and shutdown timeout.
 */
export interface ChildOverrides {
  /** When the child is restarted (default: the child's own `restartType`). */
  readonly restart?: RestartType;
  /** How long stopping the child may take, in ms (default: the child's own `shutdownTimeout`). */
  readonly shutdownTimeout?: number;
}

/** Lifecycle of a supervisor: it `gave_up` when its restart limit was exceeded. */
export type SupervisorStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'gave_up';

/** A point-in-time view of a supervisor and its children (servers and nested supervisors). */
export interface SupervisorInfo {
  readonly type: 'supervisor';
  readonly name: string;
  readonly strategy: RestartStrategy;
  readonly status: SupervisorStatus;
  readonly maxRestarts: number;
  readonly withinMs: number;
  /** Times this supervisor was restarted by its parent. */
  readonly restarts: number;
  /** Restarts within the current intensity window. */
  readonly recentRestarts: number;
  readonly children: readonly ChildInfo[];
}

const STRATEGIES: readonly RestartStrategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

/**
 * Starts its children (servers or other supervisors) in order, restarts the ones that exit according
 * to their restart type and the strategy, and stops them in reverse order. Restarts are counted: more
 * than `maxRestarts` within `withinMs` and the supervisor gives up — it stops every child, calls
 * `onGiveUp`, and exits with a `RestartLimitError` so its parent treats it as a crashed child
 * (escalation). A supervisor with no parent stays `gave_up`. Nothing here throws out of an exit or
 * becomes an unhandled rejection.
 */
export class Supervisor implements SupervisedChild {
  readonly name: string;
  readonly strategy: RestartStrategy;
  readonly restartType: RestartType;
  readonly shutdownTimeout: number;
  private readonly intensity: RestartIntensity;
  private readonly clock: Clock;
  private readonly logger: RuntimeLogger;
  private readonly children: SupervisedChild[] = [];
  /** Per child, by index: its effective restart type and shutdown timeout (overrides applied). */
  private readonly restartTypes: RestartType[] = [];
  private readonly shutdownTimeouts: number[] = [];
  /** Backoff state per child, by index: consecutive restarts and when the last one happened. */
  private readonly consecutive: number[] = [];
  private readonly restartedAt: number[] = [];
  private readonly backoffTimers = new Set<TimerHandle>();
  private state: SupervisorStatus = 'idle';
  private restartCount = 0;
  private exitListener: ExitListener | undefined;
  /**
   * While a one_for_all / rest_for_one restart is under way (from the exit, through its backoff wait,
   * until the group runs again): the members it has yet to start again. Their exits are its own doing.
   */
  private restarting: Set<SupervisedChild> | undefined;
  /**
   * Exits that arrived while another was being handled (a group restart under way) or while it starts,
   * in arrival order: as OTP's supervisor takes one EXIT at a time from its mailbox, each is handled
   * (counted, restarted) once the one before is done.
   */
  private readonly deferred = new Map<SupervisedChild, ExitReason>();
  /** The child restart() is starting again: its failure fails the restart, it is not restarted. */
  private booting: SupervisedChild | undefined;
  /** True while it is itself stopped by its parent to be restarted: children keep their messages. */
  private holding = false;
  /** Stopped for a restart that has not come yet: its children wait in `restarting`. */
  private held = false;
  /** The stop under way, for whoever asks to stop it meanwhile. */
  private stopping: Promise<void> | undefined;
  private readonly listener = (child: SupervisedChild, reason: ExitReason): boolean =>
    this.onChildExit(child, reason);

  constructor(private readonly options: SupervisorOptions) {
    this.name = options.name;
    this.strategy = options.strategy ?? 'one_for_one';
    this.intensity = new RestartIntensity(options.maxRestarts ?? 3, options.withinMs ?? 5000, this.name);
    this.restartType = options.restart ?? 'permanent';
    this.shutdownTimeout = options.shutdownTimeout ?? Infinity;
    if (!STRATEGIES.includes(this.strategy)) {
      throw new RangeError(
        `${this.name}: strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got '${String(options.strategy)}'`,
      );
    }
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    if (options.backoff !== undefined) checkBackoff(this.name, options.backoff);
  }

  get status(): SupervisorStatus {
    return this.state;
  }

  /**
   * Adds a child; children start in the order they were added. `overrides` replace the child's own
   * restart type and shutdown timeout under this supervisor.
   */
  add(child: SupervisedChild, overrides: ChildOverrides = {}): void {
    if (this.state !== 'idle') {
      throw new Error(`${this.name}: children can only be added before start(); use startChild() after`);
    }
    this.register(child, overrides);
  }

  /**
   * Adds a child to the running supervisor and starts it (OTP `supervisor:start_child/2`): it goes
   * after the existing children (or just before `before`), and stops in reverse order like them. Validated as {@link Supervisor.add}
   * validates; if it fails to start it is removed again and the error is rethrown.
   */
  async startChild(
    child: SupervisedChild,
    overrides: ChildOverrides = {},
    before?: SupervisedChild,
  ): Promise<void> {
    if (this.state !== 'running') {
      throw new Error(
        `${this.name} is ${this.state}; startChild() needs it running (use add() before start())`,
      );
    }
    const at = before === undefined ? -1 : this.children.indexOf(before);
    this.register(child, overrides, at < 0 ? this.children.length : at);
    try {
      await child.start();
    } catch (error) {
      this.unregister(child);
      if (error instanceof InitFailedError) error.under(this.name);
      throw error;
    }
  }

  /** Validates a child and inserts it at `at` with its effective restart type and shutdown timeout. */
  private register(child: SupervisedChild, overrides: ChildOverrides, at = this.children.length): void {
    if (this.children.includes(child)) throw new Error(`${this.name}: ${child.name} was added twice`);
    const restart = overrides.restart ?? child.restartType;
    const shutdownTimeout = overrides.shutdownTimeout ?? child.shutdownTimeout;
    if (!RESTART_TYPES.includes(restart)) {
      throw new RangeError(
        `${this.name}: restart of ${child.name} must be 'permanent', 'transient' or 'temporary', got '${String(restart)}'`,
      );
    }
    if (!(shutdownTimeout === Infinity || (Number.isFinite(shutdownTimeout) && shutdownTimeout >= 0))) {
      throw new RangeError(
        `${this.name}: shutdownTimeout of ${child.name} must be a number of ms >= 0 or Infinity, got ${String(shutdownTimeout)}`,
      );
    }
    child.setExitListener(this.listener);
    this.children.splice(at, 0, child);
    this.restartTypes.splice(at, 0, restart);
    this.shutdownTimeouts.splice(at, 0, shutdownTimeout);
    this.consecutive.splice(at, 0, 0);
    this.restartedAt.splice(at, 0, 0);
  }

  /** Removes a child that failed to start (a child's index is its position in every per-child list). */
  private unregister(child: SupervisedChild): void {
    const index = this.children.indexOf(child);
    if (index < 0) return;
    child.setExitListener(undefined);
    this.children.splice(index, 1);
    this.restartTypes.splice(index, 1);
    this.shutdownTimeouts.splice(index, 1);
    this.consecutive.splice(index, 1);
    this.restartedAt.splice(index, 1);
  }

  setExitListener(listener: ExitListener | undefined): void {
    this.exitListener = listener;
  }

  /**
   * Starts every child in order. If one fails, those already started are stopped (in reverse order)
   * and the error is rethrown.
   */
  async start(): Promise<void> {
    this.state = 'starting';
    for (let i = 0; i < this.children.length; i++) {
      try {
        await this.children[i].start();
      } catch (error) {
        this.state = 'stopping';
        this.deferred.clear();
        await this.stopChildren(i - 1, 'shutdown', true);
        this.state = 'stopped';
        if (error instanceof InitFailedError) error.under(this.name);
        throw error;
      }
    }
    this.state = 'running';
    this.emit('started');
    this.handleDeferred();
  }

  /**
   * Starts a fresh incarnation after an exit (a give-up, or a stop by the parent): restart history (the
   * intensity window and backoff counts) is cleared and every child is started again in order —
   * `temporary` ones too, as a restarted OTP supervisor starts every child its `init/1` lists
   * (temporary only means this supervisor does not restart the child when it exits). Resolves false
   * if a child does not come back: it then gives up (a `gave_up` event) and exits as crashed.
   */
  async restart(): Promise<boolean> {
    if (this.state !== 'stopped' && this.state !== 'gave_up') return this.state === 'running';
    this.restartCount++;
    this.held = false;
    this.intensity.reset();
    this.consecutive.fill(0); // backoff starts again from minMs, as for a new supervisor
    this.state = 'starting';
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[i];
      this.booting = child;
      const running = child.status === 'idle' ? await startQuietly(child) : await child.restart();
      this.booting = undefined;
      if (this.state !== 'starting') return false; // stopped (or killed) meanwhile
      if (!running) {
        this.state = 'stopping';
        this.deferred.clear();
        await this.stopChildren(this.children.length - 1, 'shutdown', false);
        this.state = 'gave_up';
        const crash: CrashReason = {
          kind: 'crash',
          error: new Error(`${child.name} did not restart`),
          during: `restarting ${this.name}`,
        };
        this.emit('gave_up', crash);
        this.exitListener?.(this, crash);
        return false;
      }
    }
    this.state = 'running';
    this.emit('restarted');
    this.handleDeferred();
    return true;
  }

  /**
   * Stops children in reverse start order, each within its own shutdown timeout. With `forRestart`
   * (its parent restarts a group), children keep their queued messages for their next instances.
   */
  stop(
    reason: ExitReason = 'shutdown',
    options: { drain?: boolean; forRestart?: boolean; timeout?: number } = {},
  ): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    if (this.state === 'stopping') return Promise.resolve(); // start() or restart() failing: it ends it
    if (this.state === 'stopped') {
      // Stopped for a restart that is not coming (its parent stops or gives up): stop its subtree for good.
      if (!this.held || options.forRestart === true) return Promise.resolve();
      this.held = false;
      return this.track(this.release(reason));
    }
    return this.track(this.runStop(reason, options));
  }

  /** Remembers the stop under way until it ends. */
  private track(stopping: Promise<void>): Promise<void> {
    const tracked = stopping.finally(() => {
      if (this.stopping === tracked) this.stopping = undefined;
    });
    this.stopping = tracked;
    return tracked;
  }

  private async runStop(
    reason: ExitReason,
    options: { drain?: boolean; forRestart?: boolean; timeout?: number },
  ): Promise<void> {
    const gaveUp = this.state === 'gave_up';
    this.state = 'stopping';
    this.cancelBackoffs();
    this.restarting = undefined;
    this.deferred.clear();
    const holding = options.forRestart === true;
    this.holding = holding;
    try {
      if (!gaveUp) {
        const stopping = this.stopChildren(
          this.children.length - 1,
          'shutdown',
          options.drain ?? true,
          this.holding,
        );
        const timeout = options.timeout ?? Infinity;
        if (!(await withinTimeout(stopping, timeout, this.clock))) {
          this.logger.warn(
            `${this.name} did not stop its children within ${timeout} ms; killing what is still running`,
          );
          for (let i = this.children.length - 1; i >= 0; i--) this.children[i].kill();
        }
      }
    } finally {
      this.holding = false;
    }
    if (this.state !== 'stopping') return; // killed meanwhile: that was its exit
    this.state = 'stopped';
    const restart = this.exitListener?.(this, reason) ?? false;
    if (restart) {
      this.held = holding;
      return;
    }
    // Its children were stopped to be restarted, but it will not be (its parent is stopping too).
    if (holding) await this.stopChildren(this.children.length - 1, 'shutdown', false);
    this.emit('stopped', reason);
  }

  /** Stops for good the children it holds for a restart, then reports its exit again (now final). */
  private async release(reason: ExitReason): Promise<void> {
    this.state = 'stopping';
    await this.stopChildren(this.children.length - 1, 'shutdown', false);
    if (this.state !== 'stopping') return;
    this.state = 'stopped';
    const restart = this.exitListener?.(this, reason) ?? false;
    if (!restart) this.emit('stopped', reason);
  }

  /** Kills every child at once, last to first (its own stop took longer than its shutdown timeout). */
  kill(): void {
    if (this.state === 'idle' || (this.state === 'stopped' && !this.held)) return;
    this.held = false;
    this.cancelBackoffs();
    this.restarting = undefined;
    this.deferred.clear();
    this.state = 'stopping';
    for (let i = this.children.length - 1; i >= 0; i--) this.children[i].kill();
    this.state = 'stopped';
    const restart = this.exitListener?.(this, 'killed') ?? false;
    if (!restart) this.emit('stopped', 'killed');
  }

  info(): SupervisorInfo {
    return {
      type: 'supervisor',
      name: this.name,
      strategy: this.strategy,
      status: this.state,
      maxRestarts: this.intensity.maxRestarts,
      withinMs: this.intensity.withinMs,
      restarts: this.restartCount,
      recentRestarts: this.intensity.recent(this.clock.now()),
      children: this.children.map((c) => c.info()),
    };
  }

  private async stopChildren(
    from: number,
    reason: ExitReason,
    drain: boolean,
    forRestart = false,
  ): Promise<void> {
    for (let i = from; i >= 0; i--) {
      const child = this.children[i];
      try {
        await child.stop(reason, { drain, timeout: this.shutdownTimeouts[i], forRestart });
      } catch (error) {
        this.logger.error(`${this.name}: stopping ${child.name} failed`, error);
      }
    }
  }

  private onChildExit(child: SupervisedChild, reason: ExitReason): boolean {
    // Stopped to be started again by its own restart: every child comes back.
    if (this.holding) return true;
    const state = this.state;
    if (state !== 'running' && state !== 'starting') return false;
    const index = this.children.indexOf(child);
    const restartType = this.restartTypes[index];
    this.deferred.delete(child); // a later exit of a child still waiting to be handled replaces it
    // A member of the group restart under way: stopped by it, or about to be (OTP flushes the exit of a
    // child it is terminating anyway). It comes back with the group unless it is temporary.
    if (this.restarting?.has(child)) return restartType !== 'temporary';
    // The child restart() is starting again failed: that restart fails.
    if (child === this.booting) return false;
    if (!restartWanted(child.name, restartType, reason, this.name, this.logger)) return false;
    if (this.restarting !== undefined || state === 'starting') {
      this.deferred.set(child, reason); // it waits in `restarting` until its turn
      return true;
    }
    return this.handleExit(child, index, reason);
  }

  /** Handles the exits deferred while a group restart was under way or it was starting, in order. */
  private handleDeferred(): void {
    const deferred = this.deferred;
    while (deferred.size > 0 && this.state === 'running' && this.restarting === undefined) {
      const [child, reason] = deferred.entries().next().value as [SupervisedChild, ExitReason];
      deferred.delete(child);
      // Started again meanwhile (a later child of a supervisor that was starting): nothing to do.
      if (child.status === 'running') continue;
      this.handleExit(child, this.children.indexOf(child), reason);
    }
  }

  /** Counts the restart of child `index` and schedules it; gives up (and returns false) past the limit. */
  private handleExit(child: SupervisedChild, index: number, reason: ExitReason): boolean {
    const now = this.clock.now();
    if (!this.intensity.allow(now)) {
      this.giveUp(child, reason);
      return false;
    }
    const from = this.strategy === 'one_for_all' ? 0 : index;
    const group = this.strategy === 'one_for_one' ? [child] : this.children.slice(from);
    const delay = this.restartDelay(index, now);
    const what =
      group.length === 1
        ? `restarts it`
        : `restarts ${group.map((c) => c.name).join(', ')} (${this.strategy})`;
    const message =
      `${child.name} ${describeExit(reason)}; ${this.name} ${what}` +
      `${delay > 0 ? ` in ${Math.round(delay)} ms` : ''} (restart ${this.intensity.recent(now)} of ${this.intensity.maxRestarts} within ${this.intensity.withinMs} ms)`;
    if (typeof reason !== 'string') this.logger.error(message, reason.error);
    else this.logger.warn(message);
    // Until the group runs again, the others' exits are this restart's doing, and other exits wait.
    if (group.length > 1) this.restarting = new Set(group.filter((member) => member !== child));
    if (delay > 0) {
      const timer = this.clock.setTimer(() => {
        this.backoffTimers.delete(timer);
        void this.restartGroup(group, child);
      }, delay);
      this.backoffTimers.add(timer);
    } else if (group.length === 1) {
      // Restart outside the exit callback so the exiting child has finished its own bookkeeping.
      microtask(() => this.restartOne(child));
    } else {
      microtask(() => void this.restartGroup(group, child));
    }
    return true;
  }

  /** The wait before restarting child `index` (0 without backoff); counts the restart. */
  private restartDelay(index: number, now: number): number {
    const backoff = this.options.backoff;
    if (backoff === undefined) return 0;
    if (now - this.restartedAt[index] >= (backoff.resetAfterMs ?? backoff.maxMs)) this.consecutive[index] = 0;
    return backoffDelay(backoff, this.consecutive[index]++);
  }

  private cancelBackoffs(): void {
    for (const timer of this.backoffTimers) this.clock.clearTimer(timer);
    this.backoffTimers.clear();
  }

  private emit(type: LifecycleEventType, reason?: ExitReason): void {
    const { name, restartCount: restarts } = this;
    emitSupervisorEvent(this.options.events, this.clock, this.logger, { name, restarts }, type, reason);
  }

  /**
   * Stops the group's other members (last to first), then restarts the group in start order. As in
   * OTP, a temporary sibling stopped this way is not restarted.
   */
  private async restartGroup(group: readonly SupervisedChild[], exited: SupervisedChild): Promise<void> {
    const restarting = this.restarting;
    // Ours while `restarting` is: a stop (or stop and restart) of this supervisor ends it.
    const current = (): boolean => this.state === 'running' && this.restarting === restarting;
    try {
      if (restarting !== undefined) {
        for (let i = group.length - 1; i >= 0; i--) {
          const sibling = group[i];
          if (sibling === exited) continue;
          if (!current()) return;
          const index = this.children.indexOf(sibling);
          // A temporary sibling stops for good: it must not hold messages (nor a subtree) for a restart.
          await sibling.stop('shutdown', {
            timeout: this.shutdownTimeouts[index],
            forRestart: this.restartTypes[index] !== 'temporary',
          });
        }
      }
      for (const member of group) {
        if (restarting === undefined ? this.state !== 'running' : !current()) return;
        const index = this.children.indexOf(member);
        if (member !== exited && this.restartTypes[index] === 'temporary') continue;
        // From now on its exits are its own again (deferred until the group runs).
        restarting?.delete(member);
        this.restartedAt[index] = this.clock.now();
        await member.restart();
      }
    } finally {
      if (restarting !== undefined && this.restarting === restarting) {
        this.restarting = undefined;
        this.handleDeferred();
      }
    }
  }

  /** {@link Supervisor.restartGroup} for the usual group of one, without its async machinery. */
  private restartOne(child: SupervisedChild): void {
    if (this.state !== 'running') return;
    this.restartedAt[this.children.indexOf(child)] = this.clock.now();
    void child.restart();
  }

  /** Stops every child, then reports the give-up: to `onGiveUp`, and to the parent as a crash. */
  private giveUp(child: SupervisedChild, reason: ExitReason): void {
    this.state = 'gave_up';
    this.cancelBackoffs();
    this.restarting = undefined;
    this.deferred.clear();
    const error = this.intensity.exceeded(this.name, child.name, describeExit(reason));
    this.logger.error(
      `${error.message} Its children are stopped` +
        (this.exitListener ? '; escalating to its supervisor.' : ' and will refuse messages.'),
      typeof reason === 'string' ? undefined : reason.error,
    );
    // Stop the others after the exiting child has finished reporting its exit (we are inside its callback).
    void Promise.resolve()
      .then(() => this.stopChildren(this.children.length - 1, 'shutdown', false))
      .then(() => {
        try {
          this.options.onGiveUp?.(this, { child: child.name, reason });
        } catch (thrown) {
          this.logger.error(`${this.name}: onGiveUp threw`, thrown);
        }
        const crash: CrashReason = { kind: 'crash', error, during: `supervising ${child.name}` };
        this.emit('gave_up', crash);
        this.exitListener?.(this, crash);
      });
  }
}

/** Starts a child that never started (added to a supervisor that was restarted); false if it fails. */
async function startQuietly(child: SupervisedChild): Promise<boolean> {
  try {
    await child.start();
    return true;
  } catch {
    return false;
  }
}
