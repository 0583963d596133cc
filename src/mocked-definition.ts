import type { MetadataScanner } from '@nestjs/core';
import type { ServerDefinition } from './server-definition.js';
import type { Handler } from './runtime/server-spec.js';

type Method = (...args: unknown[]) => unknown;

/**
 * The definition of a GenServer answered by a test double (see `GenServerTestingHooks.mocks`): the
 * same name, message names, aliases and options — so callers keep their real call/cast path, mailbox
 * and timeouts — but each handler and hook calls the double's method of the same name, looked up on
 * the instance (the double) at each message. A double has no periodic jobs, idle timeout or `SelfRef`:
 * it only answers.
 */
export function mockedDefinition<T extends object>(
  definition: ServerDefinition<T>,
  scanner: MetadataScanner,
): ServerDefinition<T> {
  const prototype = definition.server.prototype as Record<string, unknown>;
  const methodOf = new Map<unknown, string>();
  for (const method of scanner.getAllMethodNames(prototype)) methodOf.set(prototype[method], method);
  const forward = <F>(handler: unknown): F => {
    const method = methodOf.get(handler) as string;
    const name = definition.name;
    return function (this: Record<string, unknown>, ...args: unknown[]): unknown {
      const fn = this[method];
      if (typeof fn !== 'function') {
        throw new TypeError(`The mock of ${name} has no method '${method}' to handle the message`);
      }
      return (fn as Method).apply(this, args);
    } as F;
  };
  const table = (handlers: Record<string, Handler<T>>): Record<string, Handler<T>> => {
    const out: Record<string, Handler<T>> = {};
    for (const [message, handler] of Object.entries(handlers)) out[message] = forward(handler);
    return out;
  };
  const hook = <F>(handler: F | undefined): F | undefined =>
    handler === undefined ? undefined : forward<F>(handler);
  return {
    ...definition,
    calls: table(definition.calls),
    casts: table(definition.casts),
    info: hook(definition.info),
    init: hook(definition.init),
    terminate: hook(definition.terminate),
    periodic: [],
    periodicMethods: [],
    periodicFactories: [],
    idle: undefined,
    selfKeys: [],
  };
}
