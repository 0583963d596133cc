import { TERMINATE_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';

/**
 * Runs once when the server stops (reason `'normal'` or `'shutdown'`) or crashes (a `CrashReason`),
 * after the last message it handles. It does not run when the server is killed for exceeding its
 * shutdown timeout. Errors it throws are logged.
 */
export function Terminate(): MethodDecorator {
  return methodMetadata(TERMINATE_METADATA, true, 'Terminate');
}
