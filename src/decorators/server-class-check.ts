import type { Type } from '@nestjs/common';
import { GENSERVER_METADATA } from '../genserver.constants.js';
import { notAServerToken } from '../genserver.messages.js';
import { InvalidDefinitionError } from '../runtime/errors/invalid-definition.error.js';

/**
 * Throws {@link InvalidDefinitionError} unless `server` is a `@GenServer` class. Run when the injecting
 * class is defined: the class it names is defined (and decorated) by then, or undefined in an import cycle.
 */
export function assertServerClass(server: unknown, decorator: string): asserts server is Type<object> {
  if (typeof server === 'function' && Reflect.getMetadata(GENSERVER_METADATA, server) !== undefined) return;
  const shown = typeof server === 'function' ? server.name || 'an anonymous class' : String(server);
  throw new InvalidDefinitionError(notAServerToken(decorator, shown));
}
