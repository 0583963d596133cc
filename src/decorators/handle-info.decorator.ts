import { SetMetadata } from '@nestjs/common';
import { HANDLE_INFO_METADATA } from '../genserver.constants.js';

/**
 * Receives every message sent with `ServerRef.send(message)` (OTP `handle_info`). At most one per
 * server; without one, such messages are logged at debug level and dropped.
 */
export function HandleInfo(): MethodDecorator {
  return SetMetadata(HANDLE_INFO_METADATA, true);
}
