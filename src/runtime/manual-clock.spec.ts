import { jest } from '@jest/globals';
import { setImmediate as realSetImmediate } from 'node:timers';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import { silent } from './spec-helpers.js';

/** One real event-loop turn, whatever `jest.useFakeTimers()` did to the global `setImmediate`. */
const realTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

describe('ManualClock', () => {
  it('fires timers in due order, ties in creation order, each at its own time', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimer(() => fired.push(`a2@${clock.now()}`), 10);
    clock.advanceBy(15);
    expect(fired).toEqual(['a@10', 'a2@10']);
    expect(clock.now()).toBe(15);
    clock.advanceBy(100);
    expect(fired).toEqual(['a@10', 'a2@10', 'b@20']);
    expect(clock.now()).toBe(115);
  });

  it('fires timers scheduled by a firing timer when they fall within the advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.now());
      clock.setTimer(tick, 10);
    };
    clock.setTimer(tick, 10);
    clock.advanceBy(35);
    expect(fired).toEqual([10, 20, 30]);
  });

  it('cancels timers and refuses to go back in time', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const handle = clock.setTimer(() => {
      throw new Error('should not fire');
    }, 5);
    expect(clock.pendingTimers).toBe(1);
    clock.clearTimer(handle);
    expect(clock.pendingTimers).toBe(0);
    clock.advanceTo(new Date('2026-01-01T00:00:01Z'));
    expect(() => clock.advanceTo(0)).toThrow(RangeError);
    expect(() => clock.advanceBy(-1)).toThrow(RangeError);
  });

  it('stall() jumps time and fires overdue timers late, in due order, all at the new time', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimer(() => fired.push(`c@${clock.now()}`), 900);
    clock.stall(500);
    expect(fired).toEqual(['a@500', 'b@500']);
    expect(clock.nextTimerAt).toBe(900);
  });

  it('advanceBy from inside a timer (work that takes time) never moves time backwards', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(() => {
      clock.advanceBy(300); // the work takes 300 ms; a timer due meanwhile fires inside it
      fired.push(clock.now());
    }, 100);
    clock.setTimer(() => fired.push(clock.now()), 250);
    clock.advanceBy(200);
    expect(fired).toEqual([250, 400]);
    expect(clock.now()).toBe(400);
  });

  it('advanceByAsync waits for what each timer triggered before firing the next', async () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    // Work that reports to the clock like a server does, and schedules more work when it ends.
    const work = (name: string, next?: () => void) => {
      clock.work.started();
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          order.push(`${name} done@${clock.now()}`);
          next?.();
          clock.work.ended();
        });
    };
    clock.setTimer(() => work('a', () => clock.setTimer(() => work('a2'), 50)), 100);
    clock.setTimer(() => work('b'), 120);
    await clock.advanceByAsync(1000);
    expect(order).toEqual(['a done@100', 'b done@120', 'a2 done@150']);
  });

  it('settle() gives up on work that waits on the clock itself instead of hanging', async () => {
    const clock = new ManualClock(0);
    clock.work.started(); // never ends until a timer fires
    clock.setTimer(() => clock.work.ended(), 1000);
    await clock.settle();
    await clock.advanceByAsync(1000);
    expect(clock.now()).toBe(1000);
  });
});

describe('ManualClock in a suite that also uses jest fake timers', () => {
  afterEach(() => jest.useRealTimers());

  it('waits for handlers with real event-loop turns: advanceByAsync and settle do not hang on a faked setImmediate', async () => {
    jest.useFakeTimers(); // e.g. `fakeTimers: { enableGlobally: true }` in the Jest config
    const clock = new ManualClock(0);
    const handled: number[] = [];
    const p = new ServerProcess<object>(
      {
        name: 'Ticker',
        create: () => ({}),
        info: async () => {
          await Promise.resolve();
          handled.push(clock.now());
        },
      },
      { clock, logger: silent },
    );
    await p.start();
    p.sendAfter('tick', 1000);
    let advanced = false;
    void clock.advanceByAsync(5000).then(() => (advanced = true));
    for (let i = 0; i < 50 && !advanced; i++) await realTurn();
    expect(advanced).toBe(true);
    expect(handled).toEqual([1000]);
    expect(jest.getTimerCount()).toBe(0); // the manual clock's waits never went through the fake timers
    await p.stop();
  });
});
