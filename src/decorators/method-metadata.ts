import { MISPLACED_METADATA } from '../genserver.constants.js';

/** A handler decorator put where it cannot work (a static method, an accessor, a field), reported at bootstrap. */
export interface MisplacedDecorator {
  readonly decorator: string;
  readonly property: string;
  /** What the decorated member is, e.g. `a static method`. */
  readonly what: string;
}

/**
 * A method decorator storing `value` under `key` on the method, as `SetMetadata` does. Put on a member
 * that is not an instance method — a static method, a getter or setter, a field (an arrow function) —
 * where it would be silently ignored (or fail with a bare TypeError), it records the misuse on the class
 * instead, and bootstrap fails naming the class, the member and the decorator.
 */
export function methodMetadata(key: string, value: unknown, decorator: string): MethodDecorator {
  return (target, property, descriptor) => {
    const isStatic = typeof target === 'function';
    if (!isStatic && typeof descriptor?.value === 'function') {
      Reflect.defineMetadata(key, value, descriptor.value);
      return descriptor;
    }
    const what = isStatic
      ? 'a static member'
      : descriptor === undefined
        ? 'a field (e.g. an arrow function), not a method'
        : 'an accessor (get/set), not a method';
    recordMisplaced(isStatic ? target : target.constructor, { decorator, property: String(property), what });
    return descriptor;
  };
}

/** Records a misplaced decorator on `owner` (its own list, after the inherited ones). */
export function recordMisplaced(owner: object, entry: MisplacedDecorator): void {
  const inherited =
    (Reflect.getMetadata(MISPLACED_METADATA, owner) as MisplacedDecorator[] | undefined) ?? [];
  const own = (Reflect.getOwnMetadata(MISPLACED_METADATA, owner) as MisplacedDecorator[] | undefined) ?? [
    ...inherited,
  ];
  Reflect.defineMetadata(MISPLACED_METADATA, [...own, entry], owner);
}
