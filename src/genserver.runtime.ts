import { setImmediate } from 'node:timers';
import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { MetadataScanner, ModuleRef } from '@nestjs/core';
import { type Observable, Subject } from 'rxjs';
import { DynamicSupervisorRef } from './dynamic-supervisor-ref.js';
import { GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import { GENSERVER_MODULE_OPTIONS, GENSERVER_TESTING } from './genserver.constants.js';
import {
  agentNameTaken,
  agentTreeNotRunning,
  agentTwice,
  badAgentName,
  badAgentOptions,
  badRootGiveUp,
  badServerOption,
  badTaskSupervisorOption,
  dynamicAlsoProvided,
  dynamicTwice,
  mockOfDynamic,
  periodicFactoryFailed,
  refWithoutProvider,
  rootGaveUpNoHooks,
  rootGaveUpShutdown,
  shutdownHooksMissing,
  taskSupervisorTwice,
  staticAgentStop,
  staticAgentTaken,
} from './genserver.messages.js';
import { instanceFactory } from './instance-factory.js';
import type { DynamicSupervisorModuleOptions } from './interfaces/dynamic-supervisor-options.interface.js';
import type { GenServerModuleOptions } from './interfaces/genserver-module-options.interface.js';
import type { GenServerTestingHooks } from './interfaces/genserver-testing.interface.js';
import { mockedDefinition } from './mocked-definition.js';
import { checkDynamicOptions, checkModuleOptions } from './option-checks.js';
import type { PeriodicOptions } from './interfaces/periodic-options.interface.js';
import { toPeriodicSpec } from './periodic-definition.js';
import { parseDuration } from './runtime/periodic/duration.js';
import type { PeriodicJob, PeriodicSpec } from './runtime/periodic/periodic-job.js';
import {
  Agent,
  type AgentOptions,
  type AgentState,
  agentChildSpec,
  agentSpec,
  checkAgentName,
  checkAgentOptions,
} from './runtime/agent.js';
import type { Clock } from './runtime/clock.js';
import { DrainScheduler } from './runtime/drain-scheduler.js';
import { DynamicSupervisor } from './runtime/dynamic-supervisor.js';
import { AlreadyStartedError } from './runtime/errors/already-started.error.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import type { LifecycleEvent } from './runtime/lifecycle-event.js';
import type { RuntimeLogger } from './runtime/logger.js';
import { ServerProcess } from './runtime/server-process.js';
import type { ServerSpec } from './runtime/server-spec.js';
import { Supervisor, type SupervisorInfo } from './runtime/supervisor.js';
import { TaskSupervisorNotFoundError } from './runtime/errors/task-supervisor-not-found.error.js';
import { TaskSupervisor } from './runtime/tasks/task-supervisor.js';
import type { TaskSupervisorModuleOptions } from './interfaces/task-supervisor-options.interface.js';
import { TaskSupervisorRef } from './task-supervisor-ref.js';
import { SystemClock } from './runtime/system-clock.js';
import { type ServerDefinition, checkJobNames, readServerDefinition } from './server-definition.js';
import { ServerRef } from './server-ref.js';
import { SelfRef } from './self-ref.js';
import { type DiscoveredProcess, type PlannedChild, planSupervisionTree } from './supervision-tree.js';
import type { SupervisedChild } from './runtime/supervised-child.js';
import { TreeAssembly } from './tree-assembly.js';

/** The name of the task supervisor every application has. */
const DEFAULT_TASK_SUPERVISOR = 'tasks';

/** The live state of every server, from {@link GenServerRuntime.snapshot}. */
export interface GenServerSnapshot {
  /** False once the root supervisor gave up (its servers are stopped; see `rootGiveUp`). */
  readonly healthy: boolean;
  readonly root: SupervisorInfo;
}

/** How the orchestrator hands a discovered server to the runtime. */
export interface DiscoveredServer {
  readonly server: Type<object>;
  /** Returns the instance for incarnation n. */
  readonly create: (incarnation: number) => object | Promise<object>;
}

/** Options of {@link GenServerRuntime.startAgent}. */
export interface DynamicAgentOptions {
  /** Default timeout of this agent's calls, in ms (default: `forRoot`'s `callTimeout`, else 5000). */
  readonly callTimeout?: number;
}

/** The name of the DynamicSupervisor that runs the agents of `startAgent`, and of their spec. */
const AGENTS = 'agents';

/** A server's periodic jobs: known at DI time, plus those whose factory runs at bootstrap. */
interface PeriodicPlan {
  readonly definition: ServerDefinition;
  specs: readonly PeriodicSpec<object>[];
}

interface Entry {
  readonly process: ServerProcess<object>;
  readonly ref: ServerRef<object>;
  readonly plan: PeriodicPlan;
  create?: DiscoveredServer['create'];
}

interface DynamicEntry {
  readonly supervisor: DynamicSupervisor<object>;
  readonly ref: DynamicSupervisorRef<object>;
  readonly plan: PeriodicPlan;
  /** Resolves the children's dependencies (at bootstrap, so a missing one fails it). */
  readonly prepare: () => void;
}

/**
 * The process tree of this application: refs by class, the clock, and a snapshot for dashboards.
 * Inject it where a ref is needed dynamically, or to expose `snapshot()` on a health endpoint.
 */
@Injectable()
export class GenServerRuntime {
  /** The clock behind every timer (a `ManualClock` if one was passed to `forRoot`). */
  readonly clock: Clock;
  /** @internal The logger every process reports through (Nest's Logger, context `GenServer`). */
  readonly logger: RuntimeLogger;
  private readonly entries = new Map<Type<object>, Entry>();
  private readonly dynamics = new Map<Type<object>, DynamicEntry>();
  /** Task supervisors by name: the default `tasks`, then those declared with `forTaskSupervisor`. */
  private readonly taskSupervisors = new Map<string, TaskSupervisorRef>();
  /** Agents from `provideAgent`, by name: the first children of the root. */
  private readonly agents = new Map<string, Agent<unknown>>();
  /** The supervisor of `startAgent`'s agents, made on first use: once it runs, and while it starts. */
  private agentSupervisor: DynamicSupervisor<AgentState<unknown>> | undefined;
  private agentSupervisorStarting: Promise<DynamicSupervisor<AgentState<unknown>>> | undefined;
  /** The wrapper of each dynamic agent (it carries the agent's own call timeout). */
  private readonly dynamicAgents = new WeakMap<ServerProcess<AgentState<unknown>>, Agent<unknown>>();
  private readonly root: Supervisor;
  /** The planned tree under the root: what started at bootstrap, and what a test starts later. */
  private readonly tree: TreeAssembly;
  private readonly lifecycle = new Subject<LifecycleEvent>();
  private readonly onEvent: (event: LifecycleEvent) => void;
  /**
   * Drains the mailboxes of every process of this application (servers, dynamic children, agents), so
   * they share one budget per event-loop turn, and no other application's processes use it.
   */
  private readonly scheduler = new DrainScheduler();
  private isHealthy = true;

  constructor(
    @Inject(GENSERVER_MODULE_OPTIONS) private readonly options: GenServerModuleOptions,
    private readonly accessor: GenServerMetadataAccessor,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    @Inject(GENSERVER_TESTING) private readonly testing: GenServerTestingHooks,
  ) {
    checkModuleOptions(options);
    this.clock = testing.clock ?? options.clock ?? new SystemClock();
    const recorder = testing.events;
    this.onEvent =
      recorder === undefined
        ? (event) => this.lifecycle.next(event)
        : (event) => {
            recorder(event);
            this.lifecycle.next(event);
          };
    this.logger = toRuntimeLogger(new Logger('GenServer'));
    this.root = new Supervisor({
      name: 'root',
      strategy: options.strategy,
      maxRestarts: options.maxRestarts,
      withinMs: options.withinMs,
      backoff: options.backoff,
      clock: this.clock,
      logger: this.logger,
      events: this.onEvent,
      onGiveUp: () => this.onRootGiveUp(),
    });
    this.tree = new TreeAssembly(
      this.root,
      () => this.dynamics.values().next().value?.supervisor ?? this.firstTaskSupervisor(),
    );
    this.addTaskSupervisor(DEFAULT_TASK_SUPERVISOR);
  }

  /**
   * Every lifecycle event of the tree (started, crashed, restarted, gave_up, stopped, and mailbox_full
   * for a bounded mailbox that refused or dropped messages), as it happens.
   */
  get events$(): Observable<LifecycleEvent> {
    return this.lifecycle.asObservable();
  }

  /** False once the root supervisor exceeded its restart limit and gave up. */
  get healthy(): boolean {
    return this.isHealthy;
  }

  /** The ref of a GenServer class provided in this application. */
  ref<T extends object>(server: Type<T>): ServerRef<T> {
    return this.entry(server).ref as ServerRef<T>;
  }

  /**
   * The ref of the server that goes by `name` in snapshots and events — a static server, or with `key`
   * the dynamic child of the `forDynamic` class named `name` — or undefined (OTP's `GenServer.whereis`).
   * Untyped, for tooling such as a debug endpoint; code that knows the class uses {@link ref}.
   */
  whereis(name: string, key?: string): ServerRef<object> | undefined {
    if (key !== undefined) {
      for (const [server, entry] of this.dynamics) {
        if (this.nameOf(server) === name) return entry.ref.lookup(key);
      }
      return undefined;
    }
    for (const entry of this.entries.values()) if (entry.ref.name === name) return entry.ref;
    return undefined;
  }

  /**
   * The name a GenServer or `@Supervised` class goes by in snapshots, lifecycle events and errors: its
   * `name` option, else the class name.
   */
  nameOf(target: Type<object>): string {
    const options = this.accessor.getServerOptions(target) ?? this.accessor.getSupervisedOptions(target);
    return options?.name ?? target.name;
  }

  /** The dynamic supervisor of a class registered with `GenServerModule.forDynamic`, if any. */
  dynamicRef<T extends object>(server: Type<T>): DynamicSupervisorRef<T> | undefined {
    return this.dynamics.get(server)?.ref as DynamicSupervisorRef<T> | undefined;
  }

  /**
   * The task supervisor named `name` (default: the default one, `tasks`). Throws
   * `TaskSupervisorNotFoundError` for a name no module declared with `GenServerModule.forTaskSupervisor`.
   */
  taskSupervisor(name: string = DEFAULT_TASK_SUPERVISOR): TaskSupervisorRef {
    const ref = this.taskSupervisors.get(name);
    if (ref === undefined) throw new TaskSupervisorNotFoundError(name, [...this.taskSupervisors.keys()]);
    return ref;
  }

  /** @internal Declares a task supervisor (from `GenServerModule.forTaskSupervisor`, at DI time). */
  addTaskSupervisor(name: string, options: TaskSupervisorModuleOptions = {}): TaskSupervisorRef {
    if (this.taskSupervisors.has(name)) throw new InvalidDefinitionError(taskSupervisorTwice(name));
    let supervisor: TaskSupervisor;
    try {
      supervisor = new TaskSupervisor({
        name,
        clock: this.clock,
        logger: this.logger,
        events: this.onEvent,
        random: this.options.random,
        shutdownTimeout: options.shutdownTimeout ?? this.options.shutdownTimeout,
      });
    } catch (error) {
      throw new InvalidDefinitionError(badTaskSupervisorOption(name, (error as Error).message));
    }
    const ref = new TaskSupervisorRef(supervisor);
    this.taskSupervisors.set(name, ref);
    // Declared by a module loaded after bootstrap: it joins the running tree (last, so it stops first);
    // once the tree has stopped, it refuses tasks like the others.
    const status = this.root.status;
    if (status === 'running') {
      this.root.startChild(supervisor).catch((error: unknown) => {
        this.logger.error(`Task supervisor '${name}' could not join the supervision tree`, error);
      });
    } else if (status !== 'idle') void supervisor.stop();
    return ref;
  }

  /**
   * Starts an agent named `name` at run time, as a keyed child of the DynamicSupervisor `agents` (made,
   * and added to the root, on first use). `initial` is its initial state: a function is called on every
   * (re)start, a value is used as is (give mutable state as a function: `() => new Map()`). Dynamic
   * agents are `transient`: a crash restarts the agent with a fresh initial state, `stopAgent` ends it
   * for good. Call it once the tree runs: from `onApplicationBootstrap()` on, not from an `@Init`.
   *
   * Rejects with `AlreadyStartedError` if an agent of that name exists, `InitFailedError` if `initial`
   * throws, and a plain `Error` before the tree runs or once it stopped.
   *
   * @example
   * const cart = await runtime.startAgent<string[]>(`cart:${userId}`, () => []);
   * await cart.update((items) => [...items, sku]);
   */
  async startAgent<S>(
    name: string,
    initial: S | (() => S | PromiseLike<S>),
    options: DynamicAgentOptions = {},
  ): Promise<Agent<S>> {
    checkAgentName(name, 'GenServerRuntime.startAgent()');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${name}: startAgent() options must be an object, got ${String(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (key !== 'callTimeout') {
        throw new TypeError(`${name}: unknown startAgent() option '${key}' (known: callTimeout)`);
      }
    }
    checkAgentOptions(name, options);
    if (this.agents.has(name)) throw new AlreadyStartedError(AGENTS, name, staticAgentTaken());
    const status = this.root.status;
    if (status !== 'running') throw new Error(agentTreeNotRunning(name, status));
    const supervisor =
      this.agentSupervisor ?? (await (this.agentSupervisorStarting ??= this.startAgentSupervisor()));
    const make = typeof initial === 'function' ? initial : () => initial;
    const process = await supervisor.startChild(make, { key: name }).catch((error: unknown) => {
      throw error instanceof AlreadyStartedError
        ? new AlreadyStartedError(AGENTS, name, agentNameTaken())
        : error;
    });
    const agent = new Agent<S>(process, options);
    this.dynamicAgents.set(process, agent as unknown as Agent<unknown>);
    return agent;
  }

  /** The agent named `name` — static (`provideAgent`) or started with `startAgent` — if it exists. */
  agent<S>(name: string): Agent<S> | undefined {
    const fixed = this.agents.get(name);
    if (fixed !== undefined) return fixed as Agent<S>;
    const supervisor = this.agentSupervisor;
    const process = supervisor?.lookup(name);
    if (process === undefined) return undefined;
    return (this.dynamicAgents.get(process) ?? new Agent(process)) as Agent<S>;
  }

  /**
   * Stops the agent `name` started with `startAgent` (reason `shutdown`; it is not restarted and its
   * name is free again). Resolves false if there is none; rejects for a static agent.
   */
  async stopAgent(name: string): Promise<boolean> {
    if (this.agents.has(name)) throw new Error(staticAgentStop(name));
    const supervisor = this.agentSupervisor;
    return supervisor === undefined ? false : supervisor.terminateChild(name);
  }

  /**
   * @internal Registers an agent of `provideAgent` (at DI time). It becomes a child of the root, placed
   * before every other child, so servers can use it from `@Init`.
   */
  registerAgent<S>(
    name: string,
    initial: () => S | PromiseLike<S>,
    options: AgentOptions,
  ): Agent<S> | Promise<Agent<S>> {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidDefinitionError(badAgentName('provideAgent()', String(name)));
    }
    if (this.agents.has(name) || this.agentSupervisor?.lookup(name) !== undefined) {
      throw new InvalidDefinitionError(agentTwice(name));
    }
    let process: ServerProcess<AgentState<S>>;
    try {
      process = new ServerProcess(agentSpec(name, initial, options), this.processOptions());
    } catch (error) {
      throw new InvalidDefinitionError(badAgentOptions(name, (error as Error).message));
    }
    const agent = new Agent(process);
    this.agents.set(name, agent as unknown as Agent<unknown>);
    // Provided after bootstrap (a lazily loaded module): it joins the running tree, before the task
    // supervisors (so tasks still reach it while they finish at shutdown).
    if (this.root.status === 'idle') return agent;
    return this.root.startChild(process, {}, this.firstTaskSupervisor()).then(
      () => agent,
      (error: unknown) => {
        this.agents.delete(name);
        throw error;
      },
    );
  }

  /** Makes the `agents` DynamicSupervisor and adds it to the running root. */
  private async startAgentSupervisor(): Promise<DynamicSupervisor<AgentState<unknown>>> {
    const supervisor = new DynamicSupervisor<AgentState<unknown>>({
      name: AGENTS,
      spec: agentChildSpec('agent', { restart: 'transient' }),
      ...this.processOptions(),
    });
    try {
      await this.root.startChild(supervisor, {}, this.firstTaskSupervisor());
    } finally {
      this.agentSupervisorStarting = undefined;
    }
    this.agentSupervisor = supervisor;
    return supervisor;
  }

  /** Where children added after bootstrap go: before the task supervisors, which stop first. */
  private firstTaskSupervisor(): TaskSupervisor {
    return TaskSupervisorRef.supervisorOf(this.taskSupervisor());
  }

  /** Status, mailbox length, counts, restarts, last crash and uptime of every server. */
  snapshot(): GenServerSnapshot {
    return { healthy: this.isHealthy, root: this.root.info() };
  }

  /** @internal Creates the process on first use (refs are made during DI, before bootstrap). */
  private entry(server: Type<object>): Entry {
    const existing = this.entries.get(server);
    if (existing !== undefined) return existing;
    const read = readServerDefinition(server, this.accessor, this.scanner);
    const definition = this.testing.mocks?.has(server) ? mockedDefinition(read, this.scanner) : read;
    let process: ServerProcess<object>;
    const entry = {} as { -readonly [K in keyof Entry]: Entry[K] };
    entry.plan = { definition, specs: definition.periodic };
    try {
      process = new ServerProcess<object>(
        specFor(definition, entry.plan, (incarnation) => {
          if (entry.create === undefined) throw new InvalidDefinitionError(refWithoutProvider(server.name));
          return entry.create(incarnation);
        }),
        this.processOptions(),
      );
    } catch (error) {
      throw new InvalidDefinitionError(badServerOption(server.name, (error as Error).message));
    }
    entry.process = process;
    entry.ref = new ServerRef(process, aliasesOf(definition));
    this.entries.set(server, entry);
    return entry;
  }

  /**
   * @internal Creates the dynamic supervisor of `server` (from `GenServerModule.forDynamic`, at DI time).
   * Children are made with a plain `new` and dependencies resolved once from the container.
   */
  dynamic<T extends object>(
    server: Type<T>,
    options: DynamicSupervisorModuleOptions,
    moduleRef: ModuleRef,
  ): DynamicSupervisorRef<T> {
    if (this.dynamics.has(server)) throw new InvalidDefinitionError(dynamicTwice(server.name));
    checkDynamicOptions(server, options);
    const definition = readServerDefinition(server as Type<object>, this.accessor, this.scanner);
    const plan: PeriodicPlan = { definition, specs: definition.periodic };
    let make: (() => object) | undefined;
    const prepare = (): void => {
      make ??= instanceFactory(server as Type<object>, moduleRef);
    };
    let supervisor: DynamicSupervisor<object>;
    try {
      supervisor = new DynamicSupervisor<object>({
        name: options.name ?? `${definition.name}Supervisor`,
        spec: specFor(definition, plan, () => {
          prepare();
          return (make as () => object)();
        }),
        maxChildren: options.maxChildren,
        idleTimeout:
          options.idleTimeout === undefined ? undefined : parseDuration(options.idleTimeout, 'idleTimeout'),
        maxRestarts: options.maxRestarts,
        withinMs: options.withinMs,
        ...this.processOptions(),
      });
    } catch (error) {
      throw new InvalidDefinitionError(badServerOption(server.name, (error as Error).message));
    }
    const aliases = aliasesOf(definition);
    const ref = new DynamicSupervisorRef<object>(supervisor, (process) => new ServerRef(process, aliases));
    this.dynamics.set(server, { supervisor, ref, prepare, plan });
    return ref as unknown as DynamicSupervisorRef<T>;
  }

  private processOptions() {
    return {
      clock: this.clock,
      logger: this.logger,
      events: this.onEvent,
      defaultCallTimeout: this.options.callTimeout,
      defaultShutdownTimeout: this.options.shutdownTimeout,
      random: this.options.random,
      tasks: TaskSupervisorRef.supervisorOf(this.taskSupervisor()),
      scheduler: this.scheduler,
    };
  }

  /**
   * @internal Builds the tree — `@Supervised` classes with the children they list, everything else under
   * the root in discovery order — and starts it, depth-first in list order.
   */
  async start(found: readonly DiscoveredProcess[]): Promise<void> {
    this.checkRootGiveUp();
    const discovered = this.withMocks(found);
    for (const found of discovered) {
      if ('server' in found && this.dynamics.has(found.server)) {
        throw new InvalidDefinitionError(dynamicAlsoProvided(found.server.name));
      }
    }
    for (const agent of this.agents.values()) this.root.add(agent.process);
    this.tree.assemble(
      planSupervisionTree(discovered, this.accessor),
      (child) => this.buildNode(child),
      this.testing.start,
    );
    for (const { supervisor, prepare } of this.dynamics.values()) {
      prepare();
      this.root.add(supervisor);
    }
    // Last, so they stop first: running tasks finish (or are aborted) while the servers they use still run.
    for (const ref of this.taskSupervisors.values()) this.root.add(TaskSupervisorRef.supervisorOf(ref));
    for (const [server, entry] of this.entries) {
      if (entry.create === undefined) throw new InvalidDefinitionError(refWithoutProvider(server.name));
    }
    for (const { plan } of [...this.entries.values(), ...this.dynamics.values()])
      await this.resolvePeriodic(plan);
    await this.root.start();
  }

  /**
   * The discovered processes with the test doubles of `GenServerTestingHooks.mocks` in place: a mocked
   * server that is a class provider answers with its double where it stands; one whose provider the
   * testing kit replaced by the double (the explorer skips value providers), or that no module provides,
   * is added first — it stands for a dependency of what is tested, which may call it from `@Init`.
   */
  private withMocks(discovered: readonly DiscoveredProcess[]): readonly DiscoveredProcess[] {
    const mocks = this.testing.mocks;
    if (mocks === undefined || mocks.size === 0) return discovered;
    for (const server of mocks.keys()) {
      if (this.dynamics.has(server)) throw new InvalidDefinitionError(mockOfDynamic(server.name));
    }
    const seen = new Set<Type<object>>();
    const replaced = discovered.map((found): DiscoveredProcess => {
      if (!('server' in found)) return found;
      seen.add(found.server);
      const mock = mocks.get(found.server);
      return mock === undefined ? found : { server: found.server, create: () => mock };
    });
    const added = [...mocks]
      .filter(([server]) => !seen.has(server))
      .map(([server, mock]): DiscoveredProcess => ({ server, create: () => mock }));
    return [...added, ...replaced];
  }

  /**
   * @internal Starts `target` (a GenServer or `@Supervised` class that did not start at bootstrap,
   * see `GenServerTestingHooks.start`) at its planned place in the tree, with its subtree; without a
   * target, everything that has not started yet, in plan order.
   */
  async startLater(target?: Type<object>): Promise<void> {
    if (target !== undefined) return this.tree.startLater(target);
    for (const next of this.tree.notStartedRoots()) await this.tree.startLater(next);
  }

  /**
   * Every periodic job in the application: those of static servers, then those of running dynamic
   * children. For {@link PeriodicRegistry}.
   */
  periodicJobs(): PeriodicJob[] {
    const jobs: PeriodicJob[] = [];
    for (const { process } of this.entries.values()) jobs.push(...process.periodicJobs());
    for (const { supervisor, plan } of this.dynamics.values()) {
      if (plan.specs.length === 0) continue;
      for (const child of supervisor.processes()) jobs.push(...child.periodicJobs());
    }
    return jobs;
  }

  /** The periodic job named `Server.job` or `Server[key].job` (a dynamic child's), if any. */
  findPeriodicJob(name: string): PeriodicJob | undefined {
    const keyed = /^(.*)\[(.*)\]\.([^.[\]]+)$/.exec(name);
    if (keyed !== null) {
      const [, server, key, job] = keyed;
      for (const { supervisor, plan } of this.dynamics.values()) {
        if (plan.definition.name !== server) continue;
        return supervisor
          .lookup(key)
          ?.periodicJobs()
          .find((j) => j.spec.name === job);
      }
    }
    for (const { process } of this.entries.values()) {
      for (const job of process.periodicJobs()) if (job.name === name) return job;
    }
    return this.periodicJobs().find((job) => job.name === name);
  }

  /** Runs the `useFactory` of each `@Periodic` that has one and adds the jobs it describes. */
  private async resolvePeriodic(plan: PeriodicPlan): Promise<void> {
    const { definition } = plan;
    if (definition.periodicFactories.length === 0) return;
    const className = definition.server.name;
    const made: { name: string; method: string; spec: PeriodicSpec<object> }[] = [];
    for (const { method, declaration } of definition.periodicFactories) {
      const factory = declaration as { useFactory: (...args: unknown[]) => unknown; inject?: unknown[] };
      let options: PeriodicOptions;
      try {
        const args = (factory.inject ?? []).map((token) => this.resolveToken(token));
        options = (await factory.useFactory(...args)) as PeriodicOptions;
      } catch (error) {
        throw new InvalidDefinitionError(periodicFactoryFailed(className, method, (error as Error).message));
      }
      const handler = (definition.server.prototype as Record<string, (this: object) => unknown>)[method];
      const spec = toPeriodicSpec(className, method, handler, options);
      made.push({ name: spec.name, method, spec });
    }
    checkJobNames(className, [...definition.periodicMethods, ...made]);
    plan.specs = [...plan.specs, ...made.map((job) => job.spec)];
  }

  /** A provider for a `@Periodic` factory's `inject` list, from any module. */
  private resolveToken(token: unknown): unknown {
    const optional = token !== null && typeof token === 'object' && 'token' in token;
    const key = optional ? (token as { token: unknown; optional?: boolean }).token : token;
    try {
      return this.moduleRef.get(key as string, { strict: false });
    } catch (error) {
      if (optional && (token as { optional?: boolean }).optional === true) return undefined;
      throw error;
    }
  }

  /**
   * @internal Cancels every timer of the tree (ticks, send-after, idle timeouts), then stops every
   * server in reverse start order.
   */
  async stop(): Promise<void> {
    for (const { process } of this.entries.values()) process.cancelTimers();
    for (const { supervisor } of this.dynamics.values()) {
      for (const child of supervisor.processes()) child.cancelTimers();
    }
    await this.root.stop('shutdown', { drain: this.options.drainOnShutdown ?? true });
    // Servers a test never started: whoever still waits on them hears that they will not run.
    for (const child of this.tree.neverStarted()) if (child instanceof ServerProcess) await child.stop();
  }

  /** Makes a planned child: a server's process, or a supervisor (its children are added by the tree). */
  private buildNode(child: PlannedChild): SupervisedChild {
    if (child.kind === 'server') {
      const entry = this.entry(child.server.server);
      entry.create = child.server.create;
      return entry.process;
    }
    const { supervisor, options } = child.supervisor;
    return new Supervisor({
      name: options.name ?? supervisor.name,
      strategy: options.strategy,
      maxRestarts: options.maxRestarts,
      withinMs: options.withinMs,
      restart: options.restart,
      shutdownTimeout: options.shutdownTimeout,
      backoff: options.backoff,
      clock: this.clock,
      logger: this.logger,
      events: this.onEvent,
    });
  }

  /**
   * Validates `rootGiveUp`. With `'shutdown'`, warns if nothing listens for SIGTERM — checked one turn
   * later, because `NestFactory.createApplicationContext()` bootstraps before its caller can call
   * `enableShutdownHooks()`. That turn is `setImmediate` from `node:timers`, not the global one fake
   * timers replace: it is no timer of the app, and a faked one would outlive `app.close()` in tests.
   */
  private checkRootGiveUp(): void {
    const policy = this.options.rootGiveUp ?? 'keep-serving';
    if (policy !== 'keep-serving' && policy !== 'shutdown') {
      throw new InvalidDefinitionError(badRootGiveUp(policy));
    }
    if (policy !== 'shutdown') return;
    setImmediate(() => {
      if (process.listenerCount('SIGTERM') === 0) this.logger.warn(shutdownHooksMissing());
    }).unref();
  }

  /** The root gave up: mark the tree unhealthy and, with `rootGiveUp: 'shutdown'`, close the app. */
  private onRootGiveUp(): void {
    this.isHealthy = false;
    if (this.options.rootGiveUp !== 'shutdown') return;
    if (process.listenerCount('SIGTERM') === 0) {
      this.logger.error(rootGaveUpNoHooks());
      return;
    }
    this.logger.error(rootGaveUpShutdown());
    // What a process manager's SIGTERM would do: Nest's shutdown hooks close the app, then exit.
    process.emit('SIGTERM', 'SIGTERM');
  }
}

function toRuntimeLogger(logger: Logger): RuntimeLogger {
  return {
    debug: (message) => logger.debug(message),
    log: (message) => logger.log(message),
    warn: (message) => logger.warn(message),
    error: (message, error) => logger.error(message, error instanceof Error ? error.stack : undefined),
  };
}

/**
 * A server's runtime spec from its definition (handlers, `@GenServer` options, time). `periodic` is a
 * getter read when the server starts, after bootstrap resolved the factories (do not spread the result).
 */
function specFor(
  definition: ServerDefinition,
  plan: PeriodicPlan,
  create: (incarnation: number) => object | Promise<object>,
): ServerSpec<object> {
  const { options } = definition;
  const selfKeys = definition.selfKeys;
  const castAliases = definition.castAliases.size > 0 ? definition.castAliases : undefined;
  return {
    name: definition.name,
    create,
    get periodic() {
      return plan.specs;
    },
    idle: definition.idle,
    attach:
      selfKeys.length === 0
        ? undefined
        : (instance: object, process: ServerProcess<object>) => {
            const self = new SelfRef(process, castAliases);
            for (const key of selfKeys) (instance as Record<string | symbol, unknown>)[key] = self;
          },
    calls: definition.calls,
    casts: definition.casts,
    info: definition.info,
    init: definition.init,
    terminate: definition.terminate,
    callTimeout: options.callTimeout,
    initTimeout: options.initTimeout,
    shutdownTimeout: options.shutdownTimeout,
    restart: options.restart,
    whileRestarting: options.whileRestarting,
    restartBuffer: options.restartBuffer,
    mailbox: options.mailbox,
  };
}

/** Most servers have no aliases: pass none, so a call does not look its name up in an empty map. */
function aliasesOf(definition: ServerDefinition) {
  return {
    call: definition.callAliases.size > 0 ? definition.callAliases : undefined,
    cast: definition.castAliases.size > 0 ? definition.castAliases : undefined,
  };
}
