import { HANDLE_CAST_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';

/**
 * Handles a cast: fire-and-forget, the sender does not wait. A throw crashes the server (OTP); it is
 * never an unhandled rejection. The message name defaults to the method name.
 */
export function HandleCast(name?: string): MethodDecorator {
  return methodMetadata(HANDLE_CAST_METADATA, { name }, 'HandleCast');
}
