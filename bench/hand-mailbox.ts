/**
 * The baseline: the smallest correct serialized mailbox one would write by hand. An array with a head
 * index, one promise per call, sync results handled without an extra await, async results awaited
 * before the next message. No timeouts, no crash handling, no introspection: everything the runtime
 * adds is measured against this.
 */
type Method = (...args: unknown[]) => unknown;

interface Message {
  method: Method;
  args: unknown[];
  resolve: ((value: unknown) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
}

export class HandMailbox {
  private queue: (Message | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private busy = false;

  constructor(private readonly target: object) {}

  call(name: string, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ method: this.method(name), args, resolve, reject });
      this.schedule();
    });
  }

  cast(name: string, args: unknown[]): void {
    this.queue.push({ method: this.method(name), args, resolve: undefined, reject: undefined });
    this.schedule();
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  private method(name: string): Method {
    return (this.target as Record<string, Method>)[name];
  }

  private schedule(): void {
    if (this.scheduled || this.busy) return;
    this.scheduled = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    this.busy = true;
    while (this.head < this.queue.length) {
      const message = this.queue[this.head] as Message;
      this.queue[this.head++] = undefined;
      try {
        let result = message.method.apply(this.target, message.args);
        if (result instanceof Promise) result = await result;
        message.resolve?.(result);
      } catch (error) {
        message.reject?.(error);
      }
    }
    this.queue = [];
    this.head = 0;
    this.busy = false;
  }
}
