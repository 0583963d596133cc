import type { Clock } from './clock.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { RestartLimitError } from './errors/restart-limit.error.js';
import { type CrashReason, type ExitReason, describeExit, isNormalExit } from './exit-reason.js';
import { consoleLogger, type RuntimeLogger } from './logger.js';
import type { RestartType } from './server-spec.js';
import type { ChildInfo, ExitListener, SupervisedChild } from './supervised-child.js';
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
  clock?: Clock;
  logger?: RuntimeLogger;
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
  readonly children: readonly ChildInfo[];
}

const STRATEGIES: readonly RestartStrategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

/**
 * Starts its children (servers or other supervisors) in order, restarts the ones that exit according
 * to their restart type and the strategy, and stops them in reverse order. Restarts are counted: more
 * than `maxRestarts` within `withinMs` and the supervisor gives up — it stops every child, calls
 * `onGiveUp`, and exits with a {@link RestartLimitError} so its parent treats it as a crashed child
 * (escalation). A supervisor with no parent stays `gave_up`. Nothing here throws out of an exit or
 * becomes an unhandled rejection.
 */
export class Supervisor implements SupervisedChild {
  readonly name: string;
  readonly strategy: RestartStrategy;
  readonly restartType: RestartType;
  readonly shutdownTimeout: number;
  private readonly maxRestarts: number;
  private readonly withinMs: number;
  private readonly clock: Clock;
  private readonly logger: RuntimeLogger;
  private readonly children: SupervisedChild[] = [];
  /** Per child, by index: its effective restart type and shutdown timeout (overrides applied). */
  private readonly restartTypes: RestartType[] = [];
  private readonly shutdownTimeouts: number[] = [];
  private readonly restartTimes: number[] = [];
  private state: SupervisorStatus = 'idle';
  private restartCount = 0;
  private exitListener: ExitListener | undefined;
  /** True while a one_for_all / rest_for_one restart stops siblings: their exits are its own doing. */
  private restartingGroup = false;
  private readonly listener = (child: SupervisedChild, reason: ExitReason): boolean =>
    this.onChildExit(child, reason);

  constructor(private readonly options: SupervisorOptions) {
    this.name = options.name;
    this.strategy = options.strategy ?? 'one_for_one';
    this.maxRestarts = options.maxRestarts ?? 3;
    this.withinMs = options.withinMs ?? 5000;
    this.restartType = options.restart ?? 'permanent';
    this.shutdownTimeout = options.shutdownTimeout ?? Infinity;
    if (!STRATEGIES.includes(this.strategy)) {
      throw new RangeError(
        `${this.name}: strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got '${String(options.strategy)}'`,
      );
    }
    if (!(Number.isInteger(this.maxRestarts) && this.maxRestarts >= 0)) {
      throw new RangeError(`${this.name}: maxRestarts must be an integer >= 0, got ${options.maxRestarts}`);
    }
    if (!(this.withinMs > 0)) {
      throw new RangeError(`${this.name}: withinMs must be a number of ms > 0, got ${options.withinMs}`);
    }
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
  }

  get status(): SupervisorStatus {
    return this.state;
  }

  /**
   * Adds a child; children start in the order they were added. `overrides` replace the child's own
   * restart type and shutdown timeout under this supervisor.
   */
  add(child: SupervisedChild, overrides: ChildOverrides = {}): void {
    if (this.state !== 'idle') throw new Error(`${this.name}: children can only be added before start()`);
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
    this.children.push(child);
    this.restartTypes.push(restart);
    this.shutdownTimeouts.push(shutdownTimeout);
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
        await this.stopChildren(i - 1, 'shutdown', true);
        this.state = 'stopped';
        if (error instanceof InitFailedError) error.under(this.name);
        throw error;
      }
    }
    this.state = 'running';
  }

  /**
   * Starts a fresh incarnation after an exit (a give-up, or a stop by the parent): restart history is
   * cleared and every child is restarted in order. Resolves false (and exits again) if a child does
   * not come back.
   */
  async restart(): Promise<boolean> {
    if (this.state !== 'stopped' && this.state !== 'gave_up') return this.state === 'running';
    this.restartCount++;
    this.restartTimes.length = 0;
    this.state = 'starting';
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[i];
      const neverStarted = child.status === 'idle';
      if (this.restartTypes[i] === 'temporary' && !neverStarted) continue;
      const running = neverStarted ? await startQuietly(child) : await child.restart();
      if (!running) {
        this.state = 'stopping';
        await this.stopChildren(this.children.length - 1, 'shutdown', false);
        this.state = 'gave_up';
        this.exitListener?.(this, {
          kind: 'crash',
          error: new Error(`${child.name} did not restart`),
          during: `restarting ${this.name}`,
        });
        return false;
      }
    }
    this.state = 'running';
    return true;
  }

  /** Stops children in reverse start order, each within its own shutdown timeout. */
  async stop(reason: ExitReason = 'shutdown', options: { drain?: boolean } = {}): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const gaveUp = this.state === 'gave_up';
    this.state = 'stopping';
    if (!gaveUp) await this.stopChildren(this.children.length - 1, 'shutdown', options.drain ?? true);
    this.state = 'stopped';
    this.exitListener?.(this, reason);
  }

  info(): SupervisorInfo {
    return {
      type: 'supervisor',
      name: this.name,
      strategy: this.strategy,
      status: this.state,
      maxRestarts: this.maxRestarts,
      withinMs: this.withinMs,
      restarts: this.restartCount,
      children: this.children.map((c) => c.info()),
    };
  }

  private async stopChildren(from: number, reason: ExitReason, drain: boolean): Promise<void> {
    for (let i = from; i >= 0; i--) {
      const child = this.children[i];
      try {
        await child.stop(reason, { drain, timeout: this.shutdownTimeouts[i] });
      } catch (error) {
        this.logger.error(`${this.name}: stopping ${child.name} failed`, error);
      }
    }
  }

  private onChildExit(child: SupervisedChild, reason: ExitReason): boolean {
    if (this.state !== 'running' || this.restartingGroup) return false;
    const index = this.children.indexOf(child);
    const restartType = this.restartTypes[index];
    const wanted = restartType === 'permanent' || (restartType === 'transient' && !isNormalExit(reason));
    if (!wanted) {
      if (!isNormalExit(reason)) {
        this.logger.warn(
          `${this.name}: ${restartType} child ${child.name} exited (${describeExit(reason)}); not restarted`,
        );
      }
      return false;
    }
    const now = this.clock.now();
    const times = this.restartTimes;
    while (times.length > 0 && now - times[0] >= this.withinMs) times.shift();
    if (times.length >= this.maxRestarts) {
      this.giveUp(child, reason);
      return false;
    }
    times.push(now);
    const from = this.strategy === 'one_for_all' ? 0 : index;
    const group = this.strategy === 'one_for_one' ? [child] : this.children.slice(from);
    this.logger.warn(
      `${this.name}: restarting ${group.map((c) => c.name).join(', ')} (${this.strategy}; ${child.name} ` +
        `${describeExit(reason)})`,
    );
    // Restart outside the exit callback so the exiting child has finished its own bookkeeping.
    queueMicrotask(() => void this.restartGroup(group, child));
    return true;
  }

  /**
   * Stops the group's other members (last to first), then restarts the group in start order. As in
   * OTP, a temporary sibling stopped this way is not restarted.
   */
  private async restartGroup(group: readonly SupervisedChild[], exited: SupervisedChild): Promise<void> {
    if (group.length > 1) {
      this.restartingGroup = true;
      try {
        for (let i = group.length - 1; i >= 0; i--) {
          const sibling = group[i];
          if (sibling === exited) continue;
          await sibling.stop('shutdown', { timeout: this.shutdownTimeouts[this.children.indexOf(sibling)] });
        }
      } finally {
        this.restartingGroup = false;
      }
    }
    for (const member of group) {
      if (this.state !== 'running') return;
      if (member !== exited && this.restartTypes[this.children.indexOf(member)] === 'temporary') continue;
      await member.restart();
    }
  }

  /** Stops every child, then reports the give-up: to `onGiveUp`, and to the parent as a crash. */
  private giveUp(child: SupervisedChild, reason: ExitReason): void {
    this.state = 'gave_up';
    const error = new RestartLimitError(
      this.name,
      child.name,
      this.maxRestarts,
      this.withinMs,
      describeExit(reason),
    );
    this.logger.error(
      `${error.message} Its children are stopped` +
        (this.exitListener ? '; escalating to its supervisor.' : ' and will refuse messages.'),
    );
    void this.stopChildren(this.children.length - 1, 'shutdown', false).then(() => {
      try {
        this.options.onGiveUp?.(this, { child: child.name, reason });
      } catch (thrown) {
        this.logger.error(`${this.name}: onGiveUp threw`, thrown);
      }
      const crash: CrashReason = { kind: 'crash', error, during: `supervising ${child.name}` };
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
