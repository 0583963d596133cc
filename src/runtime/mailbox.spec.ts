import { Mailbox } from './mailbox.js';

describe('Mailbox', () => {
  it('is FIFO across growth and wrap-around, for every field', () => {
    const box = new Mailbox<string, number>(2);
    const out: string[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++, next++) box.push(next % 4, `m${next}`, `h${next}`, next);
      for (let i = 0; i < 5; i++) {
        expect(box.shift()).toBe(true);
        out.push(`${box.kind}:${box.name}:${box.handler}:${box.payload}`);
      }
    }
    while (box.shift()) out.push(`${box.kind}:${box.name}:${box.handler}:${box.payload}`);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => `${i % 4}:m${i}:h${i}:${i}`));
    expect(box.length).toBe(0);
    expect(box.shift()).toBe(false);
  });

  it('drains what is queued in order, leaving the taken message alone', () => {
    const box = new Mailbox<() => void, object>();
    const taken = {};
    const payload = {};
    box.push(0, 'inflight', undefined, taken);
    box.push(1, 'a', undefined, payload);
    box.push(2, 'b', undefined, undefined);
    box.shift();
    const seen: string[] = [];
    box.drain((kind, name, p) => seen.push(`${kind}${name}${p === payload ? '*' : ''}`));
    expect(seen).toEqual(['1a*', '2b']);
    expect([box.kind, box.name, box.payload]).toEqual([0, 'inflight', taken]);
    expect(box.length).toBe(0);
    box.clearTaken();
    expect(box.payload).toBeUndefined();
  });
});

describe('Mailbox.evictOldest', () => {
  it('removes the first message of an accepted kind, keeping the rest in order, across wrap-around', () => {
    const box = new Mailbox<string, number>(8);
    for (let i = 0; i < 6; i++) box.push(0, `old${i}`, undefined, i);
    for (let i = 0; i < 6; i++) box.shift(); // the head is now near the end of the ring
    box.push(0, 'call1', 'h', 1);
    box.push(0, 'call2', 'h', 2);
    box.push(1, 'cast1', 'h', 3); // wraps around
    box.push(1, 'cast2', 'h', 4);
    expect(box.evictOldest((kind) => kind === 1)).toBe(true);
    expect(box.length).toBe(3);
    expect(box.evictOldest((kind) => kind === 2)).toBe(false);
    const out: string[] = [];
    while (box.shift()) out.push(`${box.name}:${box.payload}`);
    expect(out).toEqual(['call1:1', 'call2:2', 'cast2:4']);
  });

  it('evicts the head when it is of an accepted kind', () => {
    const box = new Mailbox<string, object>(4);
    const payload = {};
    box.push(1, 'a', 'h', payload);
    box.push(1, 'b', 'h', {});
    expect(box.evictOldest(() => true)).toBe(true);
    expect(box.shift()).toBe(true);
    expect(box.name).toBe('b');
    expect(box.evictOldest(() => true)).toBe(false);
  });
});
