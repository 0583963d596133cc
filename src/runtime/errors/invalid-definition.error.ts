import { GenServerError } from './genserver.error.js';

/** A server is declared wrongly (bad decorator use, duplicate names, bad options). Thrown at bootstrap. */
export class InvalidDefinitionError extends GenServerError {
  readonly code = 'INVALID_DEFINITION' as const;

  constructor(message: string) {
    super(message);
  }
}
