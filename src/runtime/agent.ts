import type { Clock } from './clock.js';
import type { DrainScheduler } from './drain-scheduler.js';
import type { ExitReason } from './exit-reason.js';
import type { LifecycleListener } from './lifecycle-event.js';
import type { RuntimeLogger } from './logger.js';
import { ServerProcess } from './server-process.js';
import type { RestartType, ServerInfo, ServerSpec } from './server-spec.js';

/** What an agent's process keeps as its instance: the state, and nothing else. */
export interface AgentState<S> {
  state: S;
}

/** Options of an agent's process (see {@link ServerSpec} for each). */
export interface AgentOptions {
  /** Default timeout of `get`, `update` and `getAndUpdate`, in ms (default 5000; `Infinity` disables it). */
  readonly callTimeout?: number;
  /** How long computing the initial state may take, in ms (default 5000). */
  readonly initTimeout?: number;
  /** How long stopping may take before the agent is killed, in ms (default 5000). */
  readonly shutdownTimeout?: number;
  /** Restart type under a supervisor (default `permanent`). */
  readonly restart?: RestartType;
}

/** Options of {@link Agent.start}. */
export interface AgentStartOptions<S> extends AgentOptions {
  /** Name used in errors, logs and introspection. */
  readonly name: string;
  /** Computes the initial state (called once: there is no supervisor to restart a standalone agent). */
  readonly initial: () => S | PromiseLike<S>;
  readonly clock?: Clock;
  readonly logger?: RuntimeLogger;
  /** Receives the agent's started / crashed / stopped events. */
  readonly events?: LifecycleListener;
  /** Share one with the servers the agent exchanges messages with (default: the agent's own). */
  readonly scheduler?: DrainScheduler;
}

type StateFn = (state: unknown) => unknown;
type Box = AgentState<unknown>;

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'callTimeout',
  'initTimeout',
  'shutdownTimeout',
  'restart',
]);
const RESTART_TYPES: readonly unknown[] = ['permanent', 'transient', 'temporary'];

// The handlers run with `this` bound to the agent's state box, one message at a time. A function of
// the user's that throws (or rejects) throws out of the handler: the agent crashes, as a GenServer does.

function get(this: Box, fn: StateFn): unknown {
  return fn(this.state);
}

function update(this: Box, fn: StateFn): unknown {
  const next = fn(this.state);
  if (isThenable(next)) return setLater(this, next);
  this.state = next;
  return undefined;
}

async function setLater(box: Box, next: PromiseLike<unknown>): Promise<void> {
  box.state = await next;
}

function getAndUpdate(this: Box, fn: StateFn): unknown {
  const pair = fn(this.state);
  return isThenable(pair) ? swapLater(this, pair) : swap(this, pair);
}

async function swapLater(box: Box, pair: PromiseLike<unknown>): Promise<unknown> {
  return swap(box, await pair);
}

function swap(box: Box, pair: unknown): unknown {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new TypeError(
      `getAndUpdate's function must return a [reply, newState] pair, got ${Array.isArray(pair) ? `an array of ${pair.length}` : typeof pair}`,
    );
  }
  box.state = pair[1];
  return pair[0];
}

const CALLS = { get, update, getAndUpdate };
const CASTS = { update };

function newBox(): Box {
  return { state: undefined };
}

/** Runs an agent's initial-state function into its fresh box (the body of its `init`). */
function initState(box: Box, make: () => unknown): unknown {
  const state = make();
  if (isThenable(state)) return setLater(box, state);
  box.state = state;
  return undefined;
}

/**
 * The spec of an agent process: a server whose instance holds one state value, computed by `initial`
 * on every (re)start, so a restarted agent begins afresh. Supervise it like any server, and wrap the
 * process with {@link Agent.of}.
 *
 * @example
 * const counter = new ServerProcess(agentSpec('counter', () => 0), { clock });
 * supervisor.add(counter);
 * await supervisor.start();
 * await Agent.of<number>(counter).update((n) => n + 1);
 */
export function agentSpec<S>(
  name: string,
  initial: () => S | PromiseLike<S>,
  options: AgentOptions = {},
): ServerSpec<AgentState<S>> {
  checkAgentName(name, 'agentSpec()');
  if (typeof initial !== 'function') {
    throw new TypeError(
      `agentSpec('${name}'): initial must be a function that returns the initial state, got ` +
        `${describeValue(initial)}. Wrap a value: () => value`,
    );
  }
  checkAgentOptions(name, options);
  const make = initial;
  const spec: ServerSpec<Box> = {
    ...options,
    name,
    create: newBox,
    calls: CALLS,
    casts: CASTS,
    init: function initial(this: Box): unknown {
      return initState(this, make);
    },
  };
  return spec as ServerSpec<AgentState<S>>;
}

/**
 * The spec of agents started as children of a `DynamicSupervisor`: each child's start arguments are its
 * initial-state function, called on every (re)start of that child.
 *
 * @example
 * const agents = new DynamicSupervisor({ name: 'agents', spec: agentChildSpec('agent') });
 * const cart = Agent.of<string[]>(await agents.startChild(() => [], { key: 'cart:42' }));
 */
export function agentChildSpec(name: string, options: AgentOptions = {}): ServerSpec<AgentState<unknown>> {
  checkAgentName(name, 'agentChildSpec()');
  checkAgentOptions(name, options);
  return {
    ...options,
    name,
    create: newBox,
    calls: CALLS,
    casts: CASTS,
    init: function initial(this: Box, make: unknown): unknown {
      if (typeof make !== 'function') {
        throw new TypeError(
          `an agent child needs a function that returns its initial state as its start argument, got ${describeValue(make)}`,
        );
      }
      return initState(this, make as () => unknown);
    },
  };
}

/**
 * Elixir's Agent: state behind a process, read and changed by functions that run in it one at a time
 * (async ones included), so concurrent updates never interleave. It has a GenServer's timeouts and
 * crash semantics: a function that throws crashes the agent — its caller gets `ServerCrashedError`,
 * callers queued behind it too — and a supervisor restarts it with a fresh initial state.
 *
 * The functions run inside the agent: keep them short, and do slow work outside (`get` a copy, work,
 * then `update`). The state is handed out as is, not copied: treat it as immutable.
 *
 * @example
 * const counter = await Agent.start({ name: 'counter', initial: () => 0 });
 * await Promise.all([counter.update((n) => n + 1), counter.update((n) => n + 1)]);
 * await counter.get((n) => n); // 2
 * const previous = await counter.getAndUpdate((n) => [n, 0]); // 2, and the state is 0
 */
export class Agent<S> {
  /** The agent's process (for supervising or monitoring it). */
  readonly process: ServerProcess<AgentState<S>>;
  private readonly timeout: number | undefined;

  /**
   * Wraps the process of an {@link agentSpec} (or {@link agentChildSpec}) started by its host.
   * `callTimeout` replaces the process's own default call timeout for this wrapper.
   */
  constructor(
    process: ServerProcess<AgentState<S>> | ServerProcess<AgentState<unknown>>,
    options: { readonly callTimeout?: number } = {},
  ) {
    if (!(process instanceof ServerProcess)) {
      throw new TypeError(
        `new Agent() needs the ServerProcess of an agentSpec(), got ${describeValue(process)}`,
      );
    }
    const timeout = options.callTimeout;
    if (timeout !== undefined && !(timeout === Infinity || (Number.isFinite(timeout) && timeout >= 0))) {
      throw new RangeError(
        `${process.name}: callTimeout must be a number of ms >= 0 or Infinity, got ${String(timeout)}`,
      );
    }
    this.process = process as ServerProcess<AgentState<S>>;
    this.timeout = timeout;
  }

  /** Same as `new Agent(process, options)`. */
  static of<S>(
    process: ServerProcess<AgentState<S>> | ServerProcess<AgentState<unknown>>,
    options?: { readonly callTimeout?: number },
  ): Agent<S> {
    return new Agent(process, options);
  }

  /**
   * Starts an agent with no supervisor: if a function crashes it, it stays down (calls then reject with
   * `ServerNotRunningError`). Rejects with `InitFailedError` if `initial` throws.
   */
  static async start<S>(options: AgentStartOptions<S>): Promise<Agent<S>> {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Agent.start() needs { name, initial }, got ${describeValue(options)}`);
    }
    const { name, initial, clock, logger, events, scheduler, ...rest } = options;
    const process = new ServerProcess(agentSpec(name, initial, rest), { clock, logger, events, scheduler });
    await process.start();
    return new Agent(process);
  }

  /** The agent's name: its key under a dynamic supervisor, else its process's name. */
  get name(): string {
    return this.process.key ?? this.process.name;
  }

  /**
   * Resolves with `fn(state)`, run in the agent after every message sent before it. An async `fn` is
   * awaited there, holding the agent meanwhile. `timeoutMs` defaults to the agent's call timeout.
   */
  get<R>(fn: (state: S) => R | PromiseLike<R>, timeoutMs?: number): Promise<R> {
    if (typeof fn !== 'function') return Promise.reject(this.notAFunction('get', fn));
    return this.process.call('get', [fn], timeoutMs ?? this.timeout) as Promise<R>;
  }

  /** Replaces the state with `fn(state)` (awaited if async); resolves once it is done. */
  update(fn: (state: S) => S | PromiseLike<S>, timeoutMs?: number): Promise<void> {
    if (typeof fn !== 'function') return Promise.reject(this.notAFunction('update', fn));
    return this.process.call('update', [fn], timeoutMs ?? this.timeout) as Promise<void>;
  }

  /**
   * Runs `fn(state)`, which returns `[reply, newState]`: the state becomes `newState` and the call
   * resolves with `reply`. A throw, or anything but a pair, crashes the agent.
   */
  getAndUpdate<R>(
    fn: (state: S) => readonly [R, S] | PromiseLike<readonly [R, S]>,
    timeoutMs?: number,
  ): Promise<R> {
    if (typeof fn !== 'function') return Promise.reject(this.notAFunction('getAndUpdate', fn));
    return this.process.call('getAndUpdate', [fn], timeoutMs ?? this.timeout) as Promise<R>;
  }

  /**
   * Queues `fn` to replace the state and returns at once (Elixir's `Agent.cast`). Nobody hears of a
   * throwing `fn`, which crashes the agent. Throws `ServerNotRunningError` if the agent stopped.
   */
  cast(fn: (state: S) => S | PromiseLike<S>): void {
    if (typeof fn !== 'function') throw this.notAFunction('cast', fn);
    this.process.cast('update', [fn]);
  }

  /**
   * Stops the agent once the messages already sent are handled. Under a supervisor, a `permanent` agent
   * is restarted afterwards (stop a Nest dynamic agent with `GenServerRuntime.stopAgent`).
   */
  stop(reason: ExitReason = 'normal'): Promise<void> {
    return this.process.stop(reason);
  }

  /** Status, mailbox length, counts, restarts and last crash of the agent's process. */
  info(): ServerInfo {
    return this.process.info();
  }

  private notAFunction(method: string, fn: unknown): TypeError {
    return new TypeError(
      `${this.name}: agent.${method}() needs a function of the state, got ${describeValue(fn)}`,
    );
  }
}

/** @internal Checks an agent's name. */
export function checkAgentName(name: unknown, where: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${where} needs the agent's name, a non-empty string, got ${describeValue(name)}`);
  }
}

/** @internal Checks {@link AgentOptions}: known keys, a restart type, timeouts in ms. */
export function checkAgentOptions(name: string, options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${name}: agent options must be an object, got ${describeValue(options)}`);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TypeError(`${name}: unknown agent option '${key}' (known: ${[...OPTION_KEYS].join(', ')})`);
    }
    const value = record[key];
    if (value === undefined) continue;
    if (key === 'restart') {
      if (!RESTART_TYPES.includes(value)) {
        throw new RangeError(
          `${name}: restart must be 'permanent', 'transient' or 'temporary', got ${describeValue(value)}`,
        );
      }
    } else if (!(value === Infinity || (typeof value === 'number' && Number.isFinite(value) && value >= 0))) {
      throw new RangeError(
        `${name}: ${key} must be a number of ms >= 0 or Infinity, got ${describeValue(value)}`,
      );
    }
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
