import { ManualClock } from './manual-clock.js';

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
});
