import { HANDLE_INFO_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';

/**
 * Receives every message sent with `ServerRef.send(message)` (OTP `handle_info`). At most one per
 * server; without one, such messages are logged at debug level and dropped.
 */
export function HandleInfo(): MethodDecorator {
  return methodMetadata(HANDLE_INFO_METADATA, true, 'HandleInfo');
}
