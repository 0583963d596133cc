import { type DynamicModule, type FactoryProvider, Module, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule, MetadataScanner } from '@nestjs/core';
import { GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import { GENSERVER_METADATA, GENSERVER_MODULE_OPTIONS } from './genserver.constants.js';
import { GenServerExplorer } from './genserver.explorer.js';
import { notAServer } from './genserver.messages.js';
import { GenServerOrchestrator } from './genserver.orchestrator.js';
import { GenServerRuntime } from './genserver.runtime.js';
import type {
  GenServerModuleAsyncOptions,
  GenServerModuleOptions,
  GenServerOptionsFactory,
} from './interfaces/genserver-module-options.interface.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import { getServerToken } from './server-token.js';

const CORE_PROVIDERS: Provider[] = [
  GenServerMetadataAccessor,
  GenServerExplorer,
  GenServerOrchestrator,
  GenServerRuntime,
  MetadataScanner,
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
      exports: [GenServerRuntime],
    };
  }

  /** Like `forRoot`, with options from a factory, a class or an existing provider (e.g. `ConfigService`). */
  static forRootAsync(options: GenServerModuleAsyncOptions): DynamicModule {
    return {
      global: true,
      module: GenServerModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [...asyncOptionsProviders(options), ...CORE_PROVIDERS],
      exports: [GenServerRuntime],
    };
  }

  /**
   * Makes `@InjectServer(Server)` available in the importing module for each listed GenServer. The
   * servers themselves stay in the `providers` of the module that owns them.
   */
  static forFeature(servers: Type<object>[]): DynamicModule {
    for (const server of servers) {
      if (typeof server !== 'function' || Reflect.getMetadata(GENSERVER_METADATA, server) === undefined) {
        throw new InvalidDefinitionError(
          notAServer(
            (server as Type | undefined)?.name ?? String(server),
            'it is listed in GenServerModule.forFeature()',
          ),
        );
      }
    }
    const providers = servers.map((server): FactoryProvider => ({
      provide: getServerToken(server),
      useFactory: (runtime: GenServerRuntime) => runtime.ref(server),
      inject: [GenServerRuntime],
    }));
    return { module: GenServerModule, providers, exports: providers.map((p) => p.provide) };
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
