import { ON_IDLE_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';
import type { Duration } from '../runtime/periodic/duration.js';

/**
 * Runs the method once the server has received no message for `after` (OTP's idle timeout,
 * `{:ok, state, timeout}`). Any message re-arms it, and so does the method's own run, so a server left
 * alone runs it every `after`. Change or turn it off at run time with `SelfRef.setIdleTimeout()`.
 * At most one per server.
 *
 * @example
 * @OnIdle('5m')
 * refresh() { this.cache = this.load(); } // a cache warmer: refresh when nobody asked for 5 minutes
 */
export function OnIdle(after: Duration): MethodDecorator {
  return methodMetadata(ON_IDLE_METADATA, { after }, 'OnIdle');
}
