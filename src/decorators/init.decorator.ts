import { INIT_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';

/**
 * Runs when an instance starts (at bootstrap and after every restart), before it handles any message;
 * messages sent meanwhile wait. May be async. A throw (or exceeding `initTimeout`) fails the start.
 * Use it instead of `onModuleInit`, which Nest runs only for the first instance.
 */
export function Init(): MethodDecorator {
  return methodMetadata(INIT_METADATA, true, 'Init');
}
