import { SystemClock } from './system-clock.js';

describe('SystemClock', () => {
  const clock = new SystemClock();

  it('does not let a timeout keep Node alive, but does keep it alive for the application’s own work', () => {
    const timeout = clock.setTimer(() => undefined, 60_000) as NodeJS.Timeout;
    const tick = clock.setTimer(() => undefined, 60_000, true) as NodeJS.Timeout;
    expect(timeout.hasRef()).toBe(false);
    expect(tick.hasRef()).toBe(true);
    clock.clearTimer(timeout);
    clock.clearTimer(tick);
  });

  it('fires a timer once, and never for a cleared one', async () => {
    const fired: string[] = [];
    clock.setTimer(() => fired.push('a'), 0);
    clock.clearTimer(clock.setTimer(() => fired.push('b'), 0));
    await new Promise((resolve) => clock.setTimer(() => resolve(undefined), 0)); // same delay: fires after them
    expect(fired).toEqual(['a']);
  });
});
