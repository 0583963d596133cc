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
