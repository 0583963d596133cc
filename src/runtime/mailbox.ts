import { ringCapacity } from './ring-queue.js';

/**
 * A server's mailbox: a growable ring buffer stored as parallel arrays (kind, name, handler, payload),
 * so queueing a cast or an info allocates nothing — no envelope object per message, and a million
 * queued casts put no per-message objects on the heap for the GC to trace. Calls keep their reply
 * state in the payload slot. O(1) push and shift; no `Array.shift` re-indexing.
 *
 * `shift()` loads the head message into the `kind`/`name`/`handler`/`payload` fields instead of
 * returning a tuple, for the same reason.
 */
export class Mailbox<H, P> {
  /** The message last taken by {@link Mailbox.shift}. */
  kind = 0;
  name = '';
  handler: H | undefined;
  payload: P | undefined;

  private kinds: number[];
  private names: string[];
  private handlers: (H | undefined)[];
  private payloads: (P | undefined)[];
  private head = 0;
  private size = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    const capacity = ringCapacity(initialCapacity);
    this.kinds = new Array<number>(capacity).fill(0);
    this.names = new Array<string>(capacity).fill('');
    this.handlers = new Array<H | undefined>(capacity).fill(undefined);
    this.payloads = new Array<P | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.size;
  }

  push(kind: number, name: string, handler: H | undefined, payload: P | undefined): void {
    if (this.size === this.kinds.length) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.kinds[i] = kind;
    this.names[i] = name;
    this.handlers[i] = handler;
    this.payloads[i] = payload;
    this.size++;
  }

  /** Takes the head message into `kind`/`name`/`handler`/`payload`; false when empty. */
  shift(): boolean {
    if (this.size === 0) return false;
    const i = this.head;
    this.kind = this.kinds[i];
    this.name = this.names[i];
    this.handler = this.handlers[i];
    this.payload = this.payloads[i];
    // Clear the payload so a handled message's arguments can be collected while the mailbox lives on.
    // Handlers and names are methods and strings that live as long as the server: no need.
    this.payloads[i] = undefined;
    this.head = (i + 1) & this.mask;
    this.size--;
    return true;
  }

  /** Forgets the message last taken by `shift`, so it is not kept alive by these fields. */
  clearTaken(): void {
    this.handler = undefined;
    this.payload = undefined;
  }

  /**
   * Removes every queued message, oldest first, passing each to `visit`. The taken message (the one
   * being handled) is left alone.
   */
  drain(visit: (kind: number, name: string, payload: P | undefined) => void): void {
    while (this.size > 0) {
      const i = this.head;
      const payload = this.payloads[i];
      this.handlers[i] = undefined;
      this.payloads[i] = undefined;
      this.head = (i + 1) & this.mask;
      this.size--;
      visit(this.kinds[i], this.names[i], payload);
    }
  }

  /**
   * Removes the oldest queued message whose kind `evictable` accepts, keeping the others in order;
   * false if there is none. O(messages ahead of it): the ones before it move up one slot.
   */
  evictOldest(evictable: (kind: number) => boolean): boolean {
    const mask = this.mask;
    const head = this.head;
    let at = 0;
    while (at < this.size && !evictable(this.kinds[(head + at) & mask])) at++;
    if (at === this.size) return false;
    for (let k = at; k > 0; k--) {
      const to = (head + k) & mask;
      const from = (head + k - 1) & mask;
      this.kinds[to] = this.kinds[from];
      this.names[to] = this.names[from];
      this.handlers[to] = this.handlers[from];
      this.payloads[to] = this.payloads[from];
    }
    this.handlers[head] = undefined;
    this.payloads[head] = undefined;
    this.head = (head + 1) & mask;
    this.size--;
    return true;
  }

  private grow(): void {
    const capacity = this.kinds.length;
    const next = capacity * 2;
    this.kinds = this.unroll(this.kinds, next, 0);
    this.names = this.unroll(this.names, next, '');
    this.handlers = this.unroll(this.handlers, next, undefined);
    this.payloads = this.unroll(this.payloads, next, undefined);
    this.head = 0;
    this.mask = next - 1;
  }

  private unroll<V>(old: V[], capacity: number, fill: V): V[] {
    const next = new Array<V>(capacity).fill(fill);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    return next;
  }
}
