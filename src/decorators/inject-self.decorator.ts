import { INJECT_SELF_METADATA } from '../genserver.constants.js';
import { recordMisplaced } from './method-metadata.js';

/**
 * Gives a GenServer a {@link SelfRef} to itself in the decorated property: send-after timers, casts to
 * itself and its idle timeout. Set on every instance before `@Init` runs (not yet in the constructor).
 *
 * @example
 * @InjectSelf() private readonly self!: SelfRef<MetricsCollector>;
 */
export function InjectSelf(): PropertyDecorator {
  return (target, property) => {
    if (typeof target === 'function') {
      recordMisplaced(target, {
        decorator: 'InjectSelf',
        property: String(property),
        what: 'a static member',
      });
      return;
    }
    const owner = target.constructor;
    const keys = (Reflect.getOwnMetadata(INJECT_SELF_METADATA, owner) as (string | symbol)[] | undefined) ?? [
      ...((Reflect.getMetadata(INJECT_SELF_METADATA, owner) as (string | symbol)[] | undefined) ?? []),
    ];
    Reflect.defineMetadata(INJECT_SELF_METADATA, [...keys, property], owner);
  };
}
