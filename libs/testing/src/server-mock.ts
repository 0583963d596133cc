import type { Type } from '@nestjs/common';
import type { Mock } from 'jest-mock';
import type { MessageArgs, MessageName, Reply } from 'nestjs-genserver';

type Method = (...args: never[]) => unknown;

/** Makes a spy around an optional implementation: `jest.fn` (found automatically under Jest) or `vi.fn`. */
export type SpyFactory = (implementation?: (...args: never[]) => unknown) => unknown;

/** Implementations for some of a GenServer's methods, typed against the class; may answer synchronously. */
export type MockImplementation<T> = {
  readonly [K in MessageName<T>]?: (...args: MessageArgs<T, K>) => Reply<T, K> | PromiseLike<Reply<T, K>>;
};

/**
 * A test double of a GenServer: one Jest spy per method of the class, each calling the implementation
 * given for it (or returning undefined). It runs as the server in the tree — behind a real mailbox, with
 * the server's name, message names and timeouts — so the code under test keeps its call/cast path.
 */
export type ServerMock<T> = {
  readonly [K in MessageName<T>]: Mock<Extract<T[K], Method>>;
};

/** Where a mock keeps the class it stands for (a symbol: it never clashes with a method name). */
const MOCKED = Symbol('nestjs-genserver/testing:mocked');

/** @internal */
export function mockedClass(mock: object): Type<object> | undefined {
  return (mock as { [MOCKED]?: Type<object> })[MOCKED];
}

/**
 * Builds the double of `server`: a spy for every method found on its prototype chain (handlers and
 * hooks alike; only the handlers are ever sent messages), made by `spy`.
 */
export function createServerMock<T extends object>(
  server: Type<T>,
  implementation: MockImplementation<T>,
  spy: SpyFactory,
): ServerMock<T> {
  if (typeof server !== 'function') {
    throw new TypeError(`GenServerTesting.mock() needs a GenServer class, got ${String(server)}`);
  }
  const methods = methodNames(server.prototype as object);
  const given = (implementation ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (!methods.includes(key)) {
      throw new TypeError(
        `GenServerTesting.mock(${server.name}): the class has no method '${key}' ` +
          `(its methods: ${methods.join(', ') || 'none'})`,
      );
    }
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(
        `GenServerTesting.mock(${server.name}): the implementation of '${key}' must be a function`,
      );
    }
  }
  const mock: Record<string | symbol, unknown> = {};
  for (const method of methods) mock[method] = spy(given[method] as Method | undefined);
  Object.defineProperty(mock, MOCKED, { value: server });
  return mock as unknown as ServerMock<T>;
}

/** The spy factory of the Jest running this module (ESM: `import.meta.jest`; CommonJS: the global). */
export function jestSpyFactory(): SpyFactory | undefined {
  const esm = (import.meta as ImportMeta & { jest?: { fn?: SpyFactory } }).jest;
  const global = (globalThis as { jest?: { fn?: SpyFactory } }).jest;
  return esm?.fn ?? global?.fn;
}

/** Own and inherited method names, without the constructor and accessors. */
function methodNames(prototype: object): string[] {
  const names: string[] = [];
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || names.includes(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(p, name);
      if (typeof descriptor?.value === 'function') names.push(name);
    }
  }
  return names;
}
