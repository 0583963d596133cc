import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { MetadataScanner, type ModuleRef } from '@nestjs/core';
import { type Observable, Subject } from 'rxjs';
import { DynamicSupervisorRef } from './dynamic-supervisor-ref.js';
import { GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import { GENSERVER_MODULE_OPTIONS } from './genserver.constants.js';
import {
  badRootGiveUp,
  badServerOption,
  dynamicAlsoProvided,
  dynamicTwice,
  refWithoutProvider,
  rootGaveUpNoHooks,
  rootGaveUpShutdown,
  shutdownHooksMissing,
} from './genserver.messages.js';
import { instanceFactory } from './instance-factory.js';
import type { DynamicSupervisorModuleOptions } from './interfaces/dynamic-supervisor-options.interface.js';
import type { GenServerModuleOptions } from './interfaces/genserver-module-options.interface.js';
import type { Clock } from './runtime/clock.js';
import { DynamicSupervisor } from './runtime/dynamic-supervisor.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import type { LifecycleEvent } from './runtime/lifecycle-event.js';
import type { RuntimeLogger } from './runtime/logger.js';
import { ServerProcess } from './runtime/server-process.js';
import { Supervisor, type SupervisorInfo } from './runtime/supervisor.js';
import { SystemClock } from './runtime/system-clock.js';
import { type ServerDefinition, readServerDefinition } from './server-definition.js';
import { ServerRef } from './server-ref.js';
import { type DiscoveredProcess, type PlannedChild, planSupervisionTree } from './supervision-tree.js';

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

interface Entry {
  readonly process: ServerProcess<object>;
  readonly ref: ServerRef<object>;
  create?: DiscoveredServer['create'];
}

interface DynamicEntry {
  readonly supervisor: DynamicSupervisor<object>;
  readonly ref: DynamicSupervisorRef<object>;
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
  private readonly root: Supervisor;
  private readonly lifecycle = new Subject<LifecycleEvent>();
  private readonly onEvent = (event: LifecycleEvent): void => this.lifecycle.next(event);
  private isHealthy = true;

  constructor(
    @Inject(GENSERVER_MODULE_OPTIONS) private readonly options: GenServerModuleOptions,
    private readonly accessor: GenServerMetadataAccessor,
    private readonly scanner: MetadataScanner,
  ) {
    this.clock = options.clock ?? new SystemClock();
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
  }

  /** Every lifecycle event of the tree (started, crashed, restarted, gave_up, stopped), as it happens. */
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

  /** The dynamic supervisor of a class registered with `GenServerModule.forDynamic`, if any. */
  dynamicRef<T extends object>(server: Type<T>): DynamicSupervisorRef<T> | undefined {
    return this.dynamics.get(server)?.ref as DynamicSupervisorRef<T> | undefined;
  }

  /** Status, mailbox length, counts, restarts, last crash and uptime of every server. */
  snapshot(): GenServerSnapshot {
    return { healthy: this.isHealthy, root: this.root.info() };
  }

  /** @internal Creates the process on first use (refs are made during DI, before bootstrap). */
  private entry(server: Type<object>): Entry {
    const existing = this.entries.get(server);
    if (existing !== undefined) return existing;
    const definition = readServerDefinition(server, this.accessor, this.scanner);
    let process: ServerProcess<object>;
    const entry = {} as { -readonly [K in keyof Entry]: Entry[K] };
    try {
      process = new ServerProcess<object>(
        {
          name: definition.name,
          create: (incarnation) => {
            if (entry.create === undefined) throw new InvalidDefinitionError(refWithoutProvider(server.name));
            return entry.create(incarnation);
          },
          ...specOptions(definition),
        },
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
    const definition = readServerDefinition(server as Type<object>, this.accessor, this.scanner);
    let make: (() => object) | undefined;
    const prepare = (): void => {
      make ??= instanceFactory(server as Type<object>, moduleRef);
    };
    let supervisor: DynamicSupervisor<object>;
    try {
      supervisor = new DynamicSupervisor<object>({
        name: options.name ?? `${definition.name}Supervisor`,
        spec: {
          name: definition.name,
          create: () => {
            prepare();
            return (make as () => object)();
          },
          ...specOptions(definition),
        },
        maxChildren: options.maxChildren,
        idleTimeout: options.idleTimeout,
        maxRestarts: options.maxRestarts,
        withinMs: options.withinMs,
        ...this.processOptions(),
      });
    } catch (error) {
      throw new InvalidDefinitionError(badServerOption(server.name, (error as Error).message));
    }
    const aliases = aliasesOf(definition);
    const ref = new DynamicSupervisorRef<object>(supervisor, (process) => new ServerRef(process, aliases));
    this.dynamics.set(server, { supervisor, ref, prepare });
    return ref as unknown as DynamicSupervisorRef<T>;
  }

  private processOptions() {
    return {
      clock: this.clock,
      logger: this.logger,
      events: this.onEvent,
      defaultCallTimeout: this.options.callTimeout,
      defaultShutdownTimeout: this.options.shutdownTimeout,
    };
  }

  /**
   * @internal Builds the tree — `@Supervised` classes with the children they list, everything else under
   * the root in discovery order — and starts it, depth-first in list order.
   */
  async start(discovered: readonly DiscoveredProcess[]): Promise<void> {
    this.checkRootGiveUp();
    for (const found of discovered) {
      if ('server' in found && this.dynamics.has(found.server)) {
        throw new InvalidDefinitionError(dynamicAlsoProvided(found.server.name));
      }
    }
    for (const child of planSupervisionTree(discovered, this.accessor)) this.addChild(this.root, child);
    for (const { supervisor, prepare } of this.dynamics.values()) {
      prepare();
      this.root.add(supervisor);
    }
    for (const [server, entry] of this.entries) {
      if (entry.create === undefined) throw new InvalidDefinitionError(refWithoutProvider(server.name));
    }
    await this.root.start();
  }

  /** @internal Stops every server in reverse start order. */
  async stop(): Promise<void> {
    await this.root.stop('shutdown', { drain: this.options.drainOnShutdown ?? true });
  }

  /** Adds a planned child under `parent`: a server's process, or a new supervisor with its own children. */
  private addChild(parent: Supervisor, child: PlannedChild): void {
    if (child.kind === 'server') {
      const entry = this.entry(child.server.server);
      entry.create = child.server.create;
      parent.add(entry.process, child.overrides);
      return;
    }
    const { supervisor, options } = child.supervisor;
    const node = new Supervisor({
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
    for (const grandchild of child.children) this.addChild(node, grandchild);
    parent.add(node, child.overrides);
  }

  /**
   * Validates `rootGiveUp`. With `'shutdown'`, warns if nothing listens for SIGTERM — checked one turn
   * later, because `NestFactory.createApplicationContext()` bootstraps before its caller can call
   * `enableShutdownHooks()`.
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

/** The parts of a server's spec that come from its definition (handlers and `@GenServer` options). */
function specOptions(definition: ServerDefinition) {
  const { options } = definition;
  return {
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
  };
}

/** Most servers have no aliases: pass none, so a call does not look its name up in an empty map. */
function aliasesOf(definition: ServerDefinition) {
  return {
    call: definition.callAliases.size > 0 ? definition.callAliases : undefined,
    cast: definition.castAliases.size > 0 ? definition.castAliases : undefined,
  };
}
