import { GenServerError } from './genserver.error.js';

/**
 * Something is declared wrongly (bad decorator use, duplicate names, bad options). Thrown at bootstrap, or
 * where the module (`forFeature`, `forDynamic`, ...) or class (`@InjectServer`) is declared. The message
 * names the class, method or option and the fix; docs/errors.md lists every case.
 */
export class InvalidDefinitionError extends GenServerError {
  readonly code = 'INVALID_DEFINITION' as const;

  constructor(message: string) {
    super(message);
  }
}
