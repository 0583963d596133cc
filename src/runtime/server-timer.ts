import type { Clock, TimerHandle } from './clock.js';

/** A message a server scheduled to itself with `sendAfter` / `castAfter`; cancel it with `cancel()`. */
export interface ServerTimer {
  /** When the message is due (epoch ms on the server's clock). */
  readonly dueAt: number;
  /** True until the message is delivered or the timer cancelled. */
  readonly pending: boolean;
  /** Cancels delivery; true if it was still pending (false if already delivered or cancelled). */
  cancel(): boolean;
}

/** What a timer needs from its process. */
export interface TimerOwner {
  readonly clock: Clock;
  /** The timer fired: deliver its message (it is already out of the owner's set). */
  deliver(timer: ProcessTimer): void;
  /** Forget a cancelled timer. */
  forget(timer: ProcessTimer): void;
}

/** @internal One pending send-after of one instance. */
export class ProcessTimer implements ServerTimer {
  private handle: TimerHandle | undefined;

  constructor(
    private readonly owner: TimerOwner,
    readonly dueAt: number,
    /** The mailbox kind (cast or info), message name and payload to deliver. */
    readonly kind: number,
    readonly name: string,
    readonly payload: unknown,
  ) {
    this.handle = owner.clock.setTimer(
      () => {
        this.handle = undefined;
        owner.deliver(this);
      },
      dueAt - owner.clock.now(),
      true,
    );
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }

  cancel(): boolean {
    const handle = this.handle;
    if (handle === undefined) return false;
    this.handle = undefined;
    this.owner.clock.clearTimer(handle);
    this.owner.forget(this);
    return true;
  }
}
