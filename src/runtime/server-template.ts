import type { Clock, WorkObserver } from './clock.js';
import { type DrainScheduler, defaultScheduler } from './drain-scheduler.js';
import type { LifecycleListener } from './lifecycle-event.js';
import { consoleLogger, type RuntimeLogger } from './logger.js';
import { resolveMailboxBound } from './mailbox-bound.js';
import type { ExitReason } from './exit-reason.js';
import type { PeriodicSpec } from './periodic/periodic-job.js';
import type { TaskOutcome } from './tasks/task.js';
import type { Handler, MailboxOverflow, RestartType, ServerSpec } from './server-spec.js';
import { SystemClock } from './system-clock.js';

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RESTART_BUFFER = 10_000;

/** Options the host (a supervisor or the Nest module) gives every process. */
export interface ServerProcessOptions {
  clock?: Clock;
  logger?: RuntimeLogger;
  /** Used when the spec sets no `callTimeout`. */
  defaultCallTimeout?: number;
  /** Used when the spec sets no `shutdownTimeout`. */
  defaultShutdownTimeout?: number;
  /** Receives started / crashed / restarted / stopped events. */
  events?: LifecycleListener;
  /**
   * After this many ms with no message (mailbox empty, no handler running), `onIdle` is called
   * (default `Infinity`: never). A DynamicSupervisor uses it to evict idle children.
   */
  idleTimeout?: number;
  /** Called once the server has been idle for `idleTimeout` ms. */
  onIdle?: (process: { readonly name: string; readonly key: string | undefined }) => void;
  /** Random numbers in [0, 1) for periodic jitter (default `Math.random`). */
  random?: () => number;
  /** Runs periodic jobs declared with `runAs: 'task'` (required by them). */
  tasks?: TaskRunner;
  /**
   * Processes that share a scheduler share its per-turn budget of `SLICE` (1024) messages; the Nest
   * module gives every process of an app the same one. Default: the runtime's shared
   * {@link defaultScheduler}.
   */
  scheduler?: DrainScheduler;
}

/** What a server needs to start periodic runs as tasks: a `TaskSupervisor`'s internal `run`. */
export interface TaskRunner {
  run(
    fn: (signal: AbortSignal) => unknown,
    options: { readonly name: string },
    onExit: (outcome: TaskOutcome) => void,
  ): unknown;
}

export type AnyHandler = (...args: unknown[]) => unknown;

/**
 * Everything about a server that does not change from one process to the next: the spec, its handler
 * tables and the resolved options. Made once per definition, so a DynamicSupervisor's millionth child
 * costs no handler maps and no option parsing.
 *
 * @internal
 */
export class ServerTemplate<T extends object = object> {
  readonly name: string;
  readonly calls: Map<string, AnyHandler>;
  readonly casts: Map<string, AnyHandler>;
  readonly info: AnyHandler | undefined;
  readonly init: ((this: T, args: unknown) => unknown) | undefined;
  readonly terminate: ((this: T, reason: ExitReason) => unknown) | undefined;
  readonly callTimeout: number;
  readonly initTimeout: number;
  readonly shutdownTimeout: number;
  readonly restartType: RestartType;
  readonly restartBuffer: number;
  /** The mailbox bound: `Infinity` when unbounded, so the check is one comparison that never holds. */
  readonly capacity: number;
  readonly overflow: MailboxOverflow;
  readonly failFast: boolean;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  readonly events: LifecycleListener | undefined;
  readonly idleTimeout: number;
  readonly onIdle: ServerProcessOptions['onIdle'];
  /** The spec's own idle timeout (`Infinity` without one) and its handler. */
  readonly idleAfter: number;
  readonly idleHandler: AnyHandler | undefined;
  readonly random: () => number;
  /** The clock's work observer (test clocks only). */
  readonly work: WorkObserver | undefined;
  readonly tasks: TaskRunner | undefined;
  /** Drains the mailboxes of this definition's processes (every child of a DynamicSupervisor). */
  readonly scheduler: DrainScheduler;

  /**
   * The spec's periodic jobs (undefined if none), read when a process first starts: a host may complete
   * the list between making the processes and starting them.
   */
  get periodic(): readonly PeriodicSpec<T>[] | undefined {
    const periodic = this.spec.periodic;
    return periodic !== undefined && periodic.length > 0 ? periodic : undefined;
  }

  constructor(
    readonly spec: ServerSpec<T>,
    options: ServerProcessOptions = {},
  ) {
    this.name = spec.name;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    this.events = options.events;
    this.callTimeout = checkTimeout(spec, 'callTimeout', spec.callTimeout ?? options.defaultCallTimeout);
    this.initTimeout = checkTimeout(spec, 'initTimeout', spec.initTimeout);
    this.shutdownTimeout = checkTimeout(
      spec,
      'shutdownTimeout',
      spec.shutdownTimeout ?? options.defaultShutdownTimeout,
    );
    this.idleTimeout = checkTimeout(spec, 'idleTimeout', options.idleTimeout ?? Infinity);
    this.onIdle = options.onIdle;
    this.work = this.clock.work;
    this.random = options.random ?? Math.random;
    this.tasks = options.tasks;
    this.scheduler = options.scheduler ?? defaultScheduler();
    if (this.tasks === undefined) {
      const asTask = spec.periodic?.find((job) => job.runAs === 'task');
      if (asTask !== undefined) {
        throw new RangeError(
          `${spec.name}: periodic job '${asTask.name}' runs as a task, which needs a task supervisor ` +
            `(pass one as the 'tasks' process option)`,
        );
      }
    }
    this.idleAfter = spec.idle === undefined ? Infinity : checkTimeout(spec, 'idle.after', spec.idle.after);
    this.idleHandler = spec.idle?.handler as AnyHandler | undefined;
    this.restartType = spec.restart ?? 'permanent';
    const buffer = spec.restartBuffer ?? DEFAULT_RESTART_BUFFER;
    if (!(buffer === Infinity || (Number.isInteger(buffer) && buffer >= 0))) {
      throw new RangeError(`${spec.name}: restartBuffer must be an integer >= 0 or Infinity, got ${buffer}`);
    }
    this.restartBuffer = buffer;
    const bound = resolveMailboxBound(spec.name, spec.mailbox);
    this.capacity = bound.capacity;
    this.overflow = bound.overflow;
    const whileRestarting = spec.whileRestarting ?? 'wait';
    if (whileRestarting !== 'wait' && whileRestarting !== 'reject') {
      throw new RangeError(
        `${spec.name}: whileRestarting must be 'wait' or 'reject', got '${String(whileRestarting)}'`,
      );
    }
    this.failFast = whileRestarting === 'reject';
    this.calls = toHandlerMap(spec.calls);
    this.casts = toHandlerMap(spec.casts);
    this.info = spec.info as AnyHandler | undefined;
    this.init = spec.init;
    this.terminate = spec.terminate;
  }
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
