import type { Type } from '@nestjs/common';
import type { LifecycleEvent, LifecycleEventType } from 'nestjs-genserver';

/** A server or supervisor to filter events by: its class, or the name it goes by in events. */
export type EventTarget = Type<object> | string;

/**
 * Every lifecycle event of the tree since the app was compiled — `started`, `crashed`, `restarted`,
 * `gave_up`, `stopped`, `mailbox_full` — in order, for assertions (the testing kit's `assert_receive`
 * for supervision).
 *
 * @example
 * await harness.crash(OrderServer);
 * expect(harness.events.types(OrderServer)).toEqual(['started', 'crashed', 'restarted']);
 */
export class LifecycleRecorder {
  private readonly recorded: LifecycleEvent[] = [];
  private resolveName: ((target: Type<object>) => string) | undefined;

  /** @internal Records one event (the runtime's listener). */
  readonly record = (event: LifecycleEvent): void => {
    this.recorded.push(event);
  };

  /** @internal How a class maps to the name in its events (set when the harness is made). */
  nameWith(resolve: (target: Type<object>) => string): void {
    this.resolveName = resolve;
  }

  /** Every event recorded so far (since the last {@link clear}). */
  get all(): readonly LifecycleEvent[] {
    return this.recorded;
  }

  /** The events of one server or supervisor, and of one dynamic child when `key` is given. */
  of(target: EventTarget, key?: string): LifecycleEvent[] {
    const name = this.nameOf(target);
    return this.recorded.filter((e) => e.name === name && (key === undefined || e.key === key));
  }

  /** The types of {@link of}'s events, in order (of every event without a target). */
  types(target?: EventTarget, key?: string): LifecycleEventType[] {
    return (target === undefined ? this.recorded : this.of(target, key)).map((e) => e.type);
  }

  /** The last event of `target` (of any server without one), if any. */
  last(target?: EventTarget, key?: string): LifecycleEvent | undefined {
    const events = target === undefined ? this.recorded : this.of(target, key);
    return events[events.length - 1];
  }

  /** Forgets what was recorded, to assert on what happens next only. */
  clear(): void {
    this.recorded.length = 0;
  }

  private nameOf(target: EventTarget): string {
    if (typeof target === 'string') return target;
    return this.resolveName?.(target) ?? target.name;
  }
}
