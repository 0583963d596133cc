import { type DynamicModule, type FactoryProvider, Module, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule, MetadataScanner, ModuleRef } from '@nestjs/core';
import { GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import { GenServerRegistry } from './genserver-registry.js';
import { GENSERVER_METADATA, GENSERVER_MODULE_OPTIONS, GENSERVER_TESTING } from './genserver.constants.js';
import { GenServerExplorer } from './genserver.explorer.js';
import { notAServer } from './genserver.messages.js';
import { GenServerOrchestrator } from './genserver.orchestrator.js';
import { GenServerRuntime } from './genserver.runtime.js';
import { PeriodicRegistry } from './periodic-registry.js';
import type {
  DynamicSupervisorModuleAsyncOptions,
  DynamicSupervisorModuleOptions,
} from './interfaces/dynamic-supervisor-options.interface.js';
import type {
  GenServerModuleAsyncOptions,
  GenServerModuleOptions,
  GenServerOptionsFactory,
} from './interfaces/genserver-module-options.interface.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import { getDynamicSupervisorToken, getServerToken, getTaskSupervisorToken } from './server-token.js';
import type { TaskSupervisorModuleOptions } from './interfaces/task-supervisor-options.interface.js';
import { SupervisionTree } from './supervision-tree.service.js';

/** The default task supervisor, injected with `@InjectTaskSupervisor()`. */
const DEFAULT_TASKS: FactoryProvider = {
  provide: getTaskSupervisorToken(),
  useFactory: (runtime: GenServerRuntime) => runtime.taskSupervisor(),
  inject: [GenServerRuntime],
};

/** No testing hooks: `nestjs-genserver/testing` overrides this provider. */
const NO_TESTING: FactoryProvider = { provide: GENSERVER_TESTING, useFactory: () => ({}) };

const CORE_PROVIDERS: Provider[] = [
  DEFAULT_TASKS,
  NO_TESTING,
  GenServerMetadataAccessor,
  GenServerExplorer,
  GenServerOrchestrator,
  GenServerRuntime,
  GenServerRegistry,
  SupervisionTree,
  PeriodicRegistry,
  MetadataScanner,
];
const CORE_EXPORTS = [
  GenServerRuntime,
  GenServerRegistry,
  SupervisionTree,
  PeriodicRegistry,
  DEFAULT_TASKS.provide,
];

/**
 * Runs every `@GenServer` provider of the application as a process. Import `forRoot()` (or
 * `forRootAsync()`) once in the root module; import `forFeature([...])` in each module that injects a
 * `ServerRef`.
 */
@Module({})
export class GenServerModule {
  /** Registers the runtime (global). Options are defaults for every server; all are optional. */
  static forRoot(options: GenServerModuleOptions = {}): DynamicModule {
    return {
      global: true,
      module: GenServerModule,
      imports: [DiscoveryModule],
      providers: [{ provide: GENSERVER_MODULE_OPTIONS, useValue: options }, ...CORE_PROVIDERS],
      exports: CORE_EXPORTS,
    };
  }

  /** Like `forRoot`, with options from a factory, a class or an existing provider (e.g. `ConfigService`). */
  static forRootAsync(options: GenServerModuleAsyncOptions): DynamicModule {
    return {
      global: true,
      module: GenServerModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [...asyncOptionsProviders(options), ...CORE_PROVIDERS],
      exports: CORE_EXPORTS,
    };
  }

  /**
   * Makes `@InjectServer(Server)` available in the importing module for each listed GenServer. The
   * servers themselves stay in the `providers` of the module that owns them.
   */
  static forFeature(servers: Type<object>[]): DynamicModule {
    for (const server of servers) assertServer(server, 'it is listed in GenServerModule.forFeature()');
    const providers = servers.map((server): FactoryProvider => ({
      provide: getServerToken(server),
      useFactory: (runtime: GenServerRuntime) => runtime.ref(server),
      inject: [GenServerRuntime],
    }));
    return { module: GenServerModule, providers, exports: providers.map((p) => p.provide) };
  }

  /**
   * Runs `server` as dynamic children — one process per game, user or connection — under a
   * DynamicSupervisor, and makes `@InjectDynamicSupervisor(server)` available in the importing module.
   * The class must not be in any `providers`: children are made on demand, each with its dependencies
   * from Nest DI and its own start arguments (received by `@Init(args)`).
   *
   * @example
   * imports: [GenServerModule.forDynamic(GameServer, { maxChildren: 10_000, idleTimeout: 30 * 60_000 })]
   */
  static forDynamic(server: Type<object>, options: DynamicSupervisorModuleOptions = {}): DynamicModule {
    assertServer(server, 'it is passed to GenServerModule.forDynamic()');
    return dynamicSupervisorModule(server, { useFactory: () => options });
  }

  /**
   * {@link forDynamic} with the supervisor's options from a factory, resolved at bootstrap with injected
   * providers — so they can come from `ConfigService`, or from an options provider a test overrides.
   *
   * @example
   * GenServerModule.forDynamicAsync(GameServer, {
   *   useFactory: (options: GamesOptions) => ({ idleTimeout: options.idleTimeout }),
   *   inject: [GamesOptions],
   * })
   */
  static forDynamicAsync(server: Type<object>, options: DynamicSupervisorModuleAsyncOptions): DynamicModule {
    assertServer(server, 'it is passed to GenServerModule.forDynamicAsync()');
    if (typeof options?.useFactory !== 'function') {
      throw new InvalidDefinitionError(
        `GenServerModule.forDynamicAsync(${server.name}) needs a useFactory function returning the options.`,
      );
    }
    return dynamicSupervisorModule(server, options);
  }

  /**
   * Declares a named task supervisor — one per kind of background work, as Elixir apps list
   * `{Task.Supervisor, name: ...}` — and makes `@InjectTaskSupervisor(name)` available in the importing
   * module. It is part of the supervision tree (after every server, so at shutdown its tasks finish or
   * are aborted before the servers they use stop). The default supervisor, `tasks`, needs no declaration.
   *
   * @example
   * imports: [GenServerModule.forTaskSupervisor('account-setup', { shutdownTimeout: 30_000 })]
   */
  static forTaskSupervisor(name: string, options: TaskSupervisorModuleOptions = {}): DynamicModule {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidDefinitionError(
        `GenServerModule.forTaskSupervisor() needs a non-empty name, got ${JSON.stringify(name) ?? String(name)}.`,
      );
    }
    const provider: FactoryProvider = {
      provide: getTaskSupervisorToken(name),
      useFactory: (runtime: GenServerRuntime) => runtime.addTaskSupervisor(name, options),
      inject: [GenServerRuntime],
    };
    return { module: GenServerModule, providers: [provider], exports: [provider.provide] };
  }
}

/** The module providing `server`'s DynamicSupervisorRef, made from the options the factory resolves. */
function dynamicSupervisorModule(
  server: Type<object>,
  options: DynamicSupervisorModuleAsyncOptions,
): DynamicModule {
  const provider: FactoryProvider = {
    provide: getDynamicSupervisorToken(server),
    useFactory: async (runtime: GenServerRuntime, moduleRef: ModuleRef, ...deps: never[]) =>
      runtime.dynamic(server, (await options.useFactory(...deps)) ?? {}, moduleRef),
    inject: [GenServerRuntime, ModuleRef, ...(options.inject ?? [])],
  };
  return {
    module: GenServerModule,
    imports: options.imports ?? [],
    providers: [provider],
    exports: [provider.provide],
  };
}

function assertServer(server: Type<object>, where: string): void {
  if (typeof server !== 'function' || Reflect.getMetadata(GENSERVER_METADATA, server) === undefined) {
    throw new InvalidDefinitionError(notAServer((server as Type | undefined)?.name ?? String(server), where));
  }
}

function asyncOptionsProviders(options: GenServerModuleAsyncOptions): Provider[] {
  const given = [options.useFactory, options.useClass, options.useExisting].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new InvalidDefinitionError(
      'GenServerModule.forRootAsync() needs exactly one of useFactory, useClass or useExisting.',
    );
  }
  if (options.useFactory) {
    return [
      {
        provide: GENSERVER_MODULE_OPTIONS,
        useFactory: options.useFactory as (...args: unknown[]) => GenServerModuleOptions,
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = (options.useClass ?? options.useExisting) as Type<GenServerOptionsFactory>;
  return [
    ...(options.useClass ? [{ provide: options.useClass, useClass: options.useClass }] : []),
    {
      provide: GENSERVER_MODULE_OPTIONS,
      useFactory: (factory: GenServerOptionsFactory) => factory.createGenServerOptions(),
      inject: [factoryClass],
    },
  ];
}
