import type { Type } from '@nestjs/common';
import { SERVER_TOKEN_METADATA } from './genserver.constants.js';

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
