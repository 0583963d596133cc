import type { Type } from '@nestjs/common';
import type { MetadataScanner } from '@nestjs/core';
import type { GenServerMetadataAccessor, HandlerKind } from './genserver-metadata.accessor.js';
import { duplicateLifecycle, duplicateMessage, emptyMessageName, notAServer } from './genserver.messages.js';
import type { GenServerOptions } from './interfaces/genserver-options.interface.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import type { ExitReason } from './runtime/exit-reason.js';
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
  /** Method name → message name, for handlers whose message name differs from the method's. */
  readonly callAliases: ReadonlyMap<string, string>;
  readonly castAliases: ReadonlyMap<string, string>;
}

const DECORATOR: Record<HandlerKind, string> = {
  call: 'HandleCall',
  cast: 'HandleCast',
  info: 'HandleInfo',
  init: 'Init',
  terminate: 'Terminate',
};

/**
 * Reads a `@GenServer` class. Throws {@link InvalidDefinitionError} naming the class and method for
 * duplicate message names, several `@Init`/`@Terminate`/`@HandleInfo`, or empty names.
 */
export function readServerDefinition<T extends object>(
  server: Type<T>,
  accessor: GenServerMetadataAccessor,
  scanner: MetadataScanner,
): ServerDefinition<T> {
  const options = accessor.getServerOptions(server);
  if (options === undefined) throw new InvalidDefinitionError(notAServer(server.name, 'it is used as one'));
  const className = server.name;
  const prototype = server.prototype as Record<string, Handler<T>>;
  const tables = { call: new Map<string, string>(), cast: new Map<string, string>() };
  const lifecycle: Partial<Record<'info' | 'init' | 'terminate', string>> = {};

  for (const method of scanner.getAllMethodNames(prototype)) {
    const fn = prototype[method];
    for (const kind of accessor.getHandlerKinds(fn)) {
      if (kind === 'call' || kind === 'cast') {
        const given = accessor.getMessage(kind, fn)?.name;
        if (given === '')
          throw new InvalidDefinitionError(emptyMessageName(className, method, DECORATOR[kind]));
        const name = given ?? method;
        const previous = tables[kind].get(name);
        if (previous !== undefined) {
          throw new InvalidDefinitionError(duplicateMessage(className, kind, name, previous, method));
        }
        tables[kind].set(name, method);
      } else {
        const previous = lifecycle[kind];
        if (previous !== undefined) {
          throw new InvalidDefinitionError(duplicateLifecycle(className, DECORATOR[kind], previous, method));
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

  return {
    server,
    name: options.name ?? className,
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
