import { jest } from '@jest/globals';
import { setImmediate as realSetImmediate } from 'node:timers';
import { SLICE } from './drain-scheduler.js';
import { ServerProcess } from './server-process.js';
import { silent } from './spec-helpers.js';

/** One real event-loop turn, whatever `jest.useFakeTimers()` did to the global `setImmediate`. */
const realTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

describe('drain scheduler under jest fake timers', () => {
  afterEach(() => jest.useRealTimers());

  it('yields between slices with the real setImmediate: a burst drains without advancing the fake clock', async () => {
    jest.useFakeTimers(); // fakes the global setImmediate too
    let handled = 0;
    const p = new ServerProcess<{ n: number }>(
      {
        name: 'Burst',
        create: () => ({ n: 0 }),
        casts: { add: () => void handled++ },
        calls: { count: () => handled },
      },
      { logger: silent },
    );
    await p.start();
    const total = 3 * SLICE + 10;
    for (let i = 0; i < total; i++) p.cast('add', []);
    let reply: unknown = 'pending';
    // No timeout: the only timer this could create is the scheduler's yield.
    void p.call('count', [], Infinity).then((n) => (reply = n));
    expect(handled).toBe(0);

    // A faked yield would stop after the first slice until the test advanced the fake clock.
    for (let i = 0; i < 10 && reply === 'pending'; i++) await realTurn();
    expect(reply).toBe(total);
    expect(jest.getTimerCount()).toBe(0);
    await p.stop();
  });
});
