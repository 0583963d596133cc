import { HANDLE_CALL_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';

/**
 * Handles a call: the caller waits for the return value (awaited if it is a promise). A throw crashes
 * the server and the caller gets a `ServerCrashedError`. The message name defaults to the method name;
 * pass `name` to expose another one to untyped callers (`ServerRef.call` accepts both).
 */
export function HandleCall(name?: string): MethodDecorator {
  return methodMetadata(HANDLE_CALL_METADATA, { name }, 'HandleCall');
}
