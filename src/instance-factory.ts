import type { Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { dynamicDependencyMissing } from './genserver.messages.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';

interface PropertyDependency {
  readonly key: string | symbol;
  readonly type: unknown;
}

/**
 * Makes instances of a class with its constructor and property dependencies taken from Nest's
 * container, resolved once: every instance after that is a plain `new`, with no per-instance injector
 * or module. This is what makes starting a dynamic child cheap. Dependencies are looked up across the
 * application (`strict: false`), so overridden providers (`overrideProvider`) are what children get.
 */
export function instanceFactory<T extends object>(server: Type<T>, moduleRef: ModuleRef): () => T {
  const params: unknown[] = [...((Reflect.getMetadata('design:paramtypes', server) as unknown[]) ?? [])];
  const declared =
    (Reflect.getMetadata('self:paramtypes', server) as { index: number; param: unknown }[]) ?? [];
  for (const { index, param } of declared) params[index] = param;
  const optional = new Set((Reflect.getMetadata('optional:paramtypes', server) as number[]) ?? []);
  const properties = (Reflect.getMetadata('self:properties_metadata', server) as PropertyDependency[]) ?? [];
  const optionalProperties = new Set(
    (Reflect.getMetadata('optional:properties_metadata', server) as (string | symbol)[]) ?? [],
  );

  const resolve = (token: unknown, where: string, isOptional: boolean): unknown => {
    const resolved = unwrapForwardRef(token);
    try {
      return moduleRef.get(resolved as Type<unknown>, { strict: false });
    } catch {
      if (isOptional) return undefined;
      throw new InvalidDefinitionError(dynamicDependencyMissing(server.name, describeToken(resolved), where));
    }
  };
  const args = params.map((token, i) => resolve(token, `constructor parameter #${i}`, optional.has(i)));
  const props = properties.map(({ key, type }) => ({
    key,
    value: resolve(type, `property '${String(key)}'`, optionalProperties.has(key)),
  }));
  const Server = server as new (...deps: unknown[]) => T;
  if (props.length === 0) return () => new Server(...args);
  return () => {
    const instance = new Server(...args) as Record<string | symbol, unknown>;
    for (const { key, value } of props) instance[key] = value;
    return instance as T;
  };
}

function unwrapForwardRef(token: unknown): unknown {
  if (token !== null && typeof token === 'object' && 'forwardRef' in token) {
    const ref = (token as { forwardRef: () => unknown }).forwardRef;
    return typeof ref === 'function' ? ref() : token;
  }
  return token;
}

function describeToken(token: unknown): string {
  if (typeof token === 'function') return token.name || 'an anonymous class';
  if (typeof token === 'symbol') return token.toString();
  return String(token);
}
