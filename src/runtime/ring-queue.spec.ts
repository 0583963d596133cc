import { RingQueue } from './ring-queue.js';

describe('RingQueue', () => {
  it('is FIFO across growth and wrap-around', () => {
    const q = new RingQueue<number>(2);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps while the buffer grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) q.push(next++);
      for (let i = 0; i < 5; i++) out.push(q.shift() as number);
    }
    while (q.length > 0) out.push(q.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });

  it('peeks at both ends and drains in order', () => {
    const q = new RingQueue<string>();
    expect(q.peek()).toBeUndefined();
    ['a', 'b', 'c'].forEach((v) => q.push(v));
    expect([q.peek(), q.peekLast(), q.length]).toEqual(['a', 'c', 3]);
    const seen: string[] = [];
    q.drain((v) => seen.push(v));
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(q.length).toBe(0);
  });
});
