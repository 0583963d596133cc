/**
 * A growable FIFO ring buffer: O(1) `push` and `shift` with no `Array.shift` re-indexing, which is
 * what makes a mailbox with a million queued messages cost the same per message as one with ten.
 */
export class RingQueue<T> {
  private buffer: (T | undefined)[];
  private head = 0;
  private size = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    const capacity = ringCapacity(initialCapacity);
    this.buffer = new Array<T | undefined>(capacity);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.size;
  }

  push(value: T): void {
    if (this.size === this.buffer.length) this.grow();
    this.buffer[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.buffer[this.head];
    // Clear the slot so a handled message can be collected while the queue lives on.
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return value;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.buffer[this.head];
  }

  peekLast(): T | undefined {
    return this.size === 0 ? undefined : this.buffer[(this.head + this.size - 1) & this.mask];
  }

  /** Removes every element, passing each to `visit` in FIFO order. */
  drain(visit: (value: T) => void): void {
    while (this.size > 0) visit(this.shift() as T);
  }

  private grow(): void {
    const old = this.buffer;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.buffer = next;
    this.head = 0;
    this.mask = next.length - 1;
  }
}

/** The smallest power of two (at least 2) that holds `wanted`: ring indexes wrap with a bit mask. */
export function ringCapacity(wanted: number): number {
  let capacity = 2;
  while (capacity < wanted) capacity <<= 1;
  return capacity;
}
