import type { Type } from '@nestjs/common';
import type { MetadataScanner } from '@nestjs/core';
import { DECORATOR_NAMES, type GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import {
  badMessageName,
  badOnIdle,
  duplicateJobName,
  duplicateLifecycle,
  duplicateMessage,
  emptyMessageName,
  misplacedDecorator,
  notAServer,
} from './genserver.messages.js';
import { checkServerOptions, describe } from './option-checks.js';
import type { GenServerOptions } from './interfaces/genserver-options.interface.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import type { ExitReason } from './runtime/exit-reason.js';
import { type DeclaredPeriodic, isPeriodicFactory, toPeriodicSpec } from './periodic-definition.js';
import { parseDuration } from './runtime/periodic/duration.js';
import type { PeriodicSpec } from './runtime/periodic/periodic-job.js';
import type { Handler } from './runtime/server-spec.js';

/** A GenServer class read into what the runtime needs: handlers by message name, lifecycle hooks, options. */
export interface ServerDefinition<T extends object = object> {
  readonly server: Type<T>;
  readonly name: string;
  readonly options: GenServerOptions;
  readonly calls: Record<string, Handler<T>>;
  readonly casts: Record<string, Handler<T>>;
  readonly info?: (this: T, message: unknown) => unknown;
  readonly init?: (this: T) => unknown;
  readonly terminate?: (this: T, reason: ExitReason) => unknown;
  /** `@Periodic` methods whose options are known now, as runtime job specs. */
  readonly periodic: readonly PeriodicSpec<T>[];
  /** Job name and method of each of `periodic`. */
  readonly periodicMethods: readonly { readonly name: string; readonly method: string }[];
  /** `@Periodic` methods whose options come from a factory at bootstrap. */
  readonly periodicFactories: readonly DeclaredPeriodic[];
  /** The `@OnIdle` method and its timeout in ms. */
  readonly idle?: { readonly after: number; readonly handler: (this: T) => unknown };
  /** Properties that receive the server's `SelfRef` (`@InjectSelf()`). */
  readonly selfKeys: readonly (string | symbol)[];
  /** Method name → message name, for handlers whose message name differs from the method's. */
  readonly callAliases: ReadonlyMap<string, string>;
  readonly castAliases: ReadonlyMap<string, string>;
}

/**
 * Reads a `@GenServer` class. Throws {@link InvalidDefinitionError} naming the class and method for
 * bad `@GenServer` options, duplicate message names, several `@Init`/`@Terminate`/`@HandleInfo`, empty or
 * non-string names, and handler decorators on members that are not instance methods.
 */
export function readServerDefinition<T extends object>(
  server: Type<T>,
  accessor: GenServerMetadataAccessor,
  scanner: MetadataScanner,
): ServerDefinition<T> {
  const options = accessor.getServerOptions(server);
  if (options === undefined) throw new InvalidDefinitionError(notAServer(server.name, 'it is used as one'));
  const className = server.name;
  checkServerOptions(className, options);
  checkMisplaced(server, accessor);
  const prototype = server.prototype as Record<string, Handler<T>>;
  const tables = { call: new Map<string, string>(), cast: new Map<string, string>() };
  const lifecycle: Partial<Record<'info' | 'init' | 'terminate' | 'idle', string>> = {};
  const periodic: PeriodicSpec<T>[] = [];
  const periodicFactories: DeclaredPeriodic[] = [];
  const jobNames: { name: string; method: string }[] = [];

  for (const method of scanner.getAllMethodNames(prototype)) {
    const fn = prototype[method];
    for (const kind of accessor.getHandlerKinds(fn)) {
      if (kind === 'call' || kind === 'cast') {
        const given = accessor.getMessage(kind, fn)?.name;
        if (given === '')
          throw new InvalidDefinitionError(emptyMessageName(className, method, DECORATOR_NAMES[kind]));
        if (given !== undefined && typeof given !== 'string') {
          throw new InvalidDefinitionError(
            badMessageName(className, method, DECORATOR_NAMES[kind], describe(given)),
          );
        }
        const name = given ?? method;
        const previous = tables[kind].get(name);
        if (previous !== undefined) {
          throw new InvalidDefinitionError(duplicateMessage(className, kind, name, previous, method));
        }
        tables[kind].set(name, method);
      } else if (kind === 'periodic') {
        const declaration = accessor.getPeriodic(fn) as NonNullable<ReturnType<typeof accessor.getPeriodic>>;
        if (isPeriodicFactory(declaration)) periodicFactories.push({ method, declaration });
        else {
          const spec = toPeriodicSpec(className, method, fn as (this: T) => unknown, declaration);
          periodic.push(spec);
          jobNames.push({ name: spec.name, method });
        }
      } else {
        const previous = lifecycle[kind];
        if (previous !== undefined) {
          throw new InvalidDefinitionError(
            duplicateLifecycle(className, DECORATOR_NAMES[kind], previous, method),
          );
        }
        lifecycle[kind] = method;
      }
    }
  }

  const handlers = (table: Map<string, string>): Record<string, Handler<T>> => {
    const out: Record<string, Handler<T>> = {};
    for (const [name, method] of table) out[name] = prototype[method];
    return out;
  };
  const aliases = (table: Map<string, string>): Map<string, string> => {
    const out = new Map<string, string>();
    // A method name that is itself another handler's message name keeps meaning that message.
    for (const [name, method] of table) if (name !== method && !table.has(method)) out.set(method, name);
    return out;
  };
  const hook = <F>(method: string | undefined): F | undefined =>
    method === undefined ? undefined : (prototype[method] as unknown as F);

  checkJobNames(className, jobNames);
  let idle: ServerDefinition<T>['idle'];
  if (lifecycle.idle !== undefined) {
    const method = lifecycle.idle;
    const declared = accessor.getOnIdle(prototype[method]) as { after: Parameters<typeof parseDuration>[0] };
    let after: number;
    try {
      after = parseDuration(declared.after, 'the timeout');
    } catch (error) {
      throw new InvalidDefinitionError(badOnIdle(className, method, (error as Error).message));
    }
    if (!(after > 0))
      throw new InvalidDefinitionError(badOnIdle(className, method, 'the timeout must be > 0 ms'));
    idle = { after, handler: prototype[method] as unknown as (this: T) => unknown };
  }

  return {
    server,
    name: options.name ?? className,
    periodic,
    periodicMethods: jobNames,
    periodicFactories,
    ...(idle !== undefined ? { idle } : {}),
    selfKeys: accessor.getSelfKeys(server),
    options,
    calls: handlers(tables.call),
    casts: handlers(tables.cast),
    info: hook(lifecycle.info),
    init: hook(lifecycle.init),
    terminate: hook(lifecycle.terminate),
    callAliases: aliases(tables.call),
    castAliases: aliases(tables.cast),
  };
}

/** Two jobs of one server may not share a name. `jobs` are (job name, method) pairs. */
export function checkJobNames(className: string, jobs: readonly { name: string; method: string }[]): void {
  const seen = new Map<string, string>();
  for (const { name, method } of jobs) {
    const first = seen.get(name);
    if (first !== undefined)
      throw new InvalidDefinitionError(duplicateJobName(className, name, first, method));
    seen.set(name, method);
  }
}

/** Fails on a handler decorator that `target` carries on a member that is not an instance method. */
export function checkMisplaced(target: Type<object>, accessor: GenServerMetadataAccessor): void {
  const [first] = accessor.getMisplaced(target);
  if (first !== undefined) {
    throw new InvalidDefinitionError(
      misplacedDecorator(target.name, first.property, first.decorator, first.what),
    );
  }
}
