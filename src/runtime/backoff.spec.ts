import { backoffDelay, checkBackoff } from './backoff.js';

describe('backoff', () => {
  it('grows by factor from minMs, capped at maxMs', () => {
    const backoff = { minMs: 1000, maxMs: 8000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(backoff, n))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffDelay({ minMs: 100, maxMs: 1000, factor: 3 }, 2)).toBe(900);
  });

  it('adds jitter from backoff.random, else from the given source', () => {
    expect(backoffDelay({ minMs: 1000, maxMs: 8000, jitter: 0.5, random: () => 0.5 }, 1)).toBe(2500);
    expect(backoffDelay({ minMs: 1000, maxMs: 8000, jitter: 0.5 }, 0, () => 1)).toBe(1500);
    expect(backoffDelay({ minMs: 1000, maxMs: 8000 }, 0, () => 1)).toBe(1000);
  });

  it.each([
    [{ minMs: 0, maxMs: 10 }, 'owner: backoff.minMs must be a number of ms > 0, got 0'],
    [{ minMs: 10, maxMs: 5 }, 'owner: backoff.maxMs must be a number of ms >= minMs (10), got 5'],
    [{ minMs: 10, maxMs: 50, factor: 0.5 }, 'owner: backoff.factor must be a number >= 1, got 0.5'],
    [{ minMs: 10, maxMs: 50, jitter: 2 }, 'owner: backoff.jitter must be a fraction between 0 and 1, got 2'],
    [
      { minMs: 10, maxMs: 50, resetAfterMs: -1 },
      'owner: backoff.resetAfterMs must be a number of ms > 0, got -1',
    ],
  ])('rejects %j', (backoff, message) => {
    expect(() => checkBackoff('owner', backoff)).toThrow(new RangeError(message));
  });
});
