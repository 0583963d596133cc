import type { Type } from '@nestjs/common';
import { DYNAMIC_TOKEN_METADATA, SERVER_TOKEN_METADATA } from './genserver.constants.js';

/**
 * The injection token of the `ServerRef` for a GenServer class; use it with `overrideProvider` or in a
 * custom provider. One symbol per class, stored on the class itself, so two classes with the same name
 * never share a token.
 */
export function getServerToken(server: Type<object>): symbol {
  const existing: unknown = Reflect.getOwnMetadata(SERVER_TOKEN_METADATA, server);
  if (typeof existing === 'symbol') return existing;
  const token = Symbol(`ServerRef<${server.name}>`);
  Reflect.defineMetadata(SERVER_TOKEN_METADATA, token, server);
  return token;
}

/**
 * The injection token of a `TaskSupervisorRef`: the default task supervisor's without a name, else the
 * one declared with `GenServerModule.forTaskSupervisor(name)`.
 */
export function getTaskSupervisorToken(name?: string): string {
  return name === undefined ? 'TaskSupervisor' : `TaskSupervisor(${name})`;
}

/**
 * The injection token of the `DynamicSupervisorRef` for a GenServer class started as dynamic children
 * (`GenServerModule.forDynamic`). One symbol per class.
 */
export function getDynamicSupervisorToken(server: Type<object>): symbol {
  const existing: unknown = Reflect.getOwnMetadata(DYNAMIC_TOKEN_METADATA, server);
  if (typeof existing === 'symbol') return existing;
  const token = Symbol(`DynamicSupervisorRef<${server.name}>`);
  Reflect.defineMetadata(DYNAMIC_TOKEN_METADATA, token, server);
  return token;
}
