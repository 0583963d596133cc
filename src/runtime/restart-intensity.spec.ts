import { RestartIntensity } from './restart-intensity.js';

/** The plain definition: trim the oldest out of the window, then count every restart still in it. */
class Reference {
  private readonly times: number[] = [];
  constructor(
    private readonly maxRestarts: number,
    private readonly withinMs: number,
  ) {}
  allow(now: number): boolean {
    while (this.times.length > 0 && now - this.times[0] >= this.withinMs) this.times.shift();
    if (this.times.length >= this.maxRestarts) return false;
    this.times.push(now);
    return true;
  }
  recent(now: number): number {
    return this.times.filter((at) => now - at < this.withinMs).length;
  }
}

describe('RestartIntensity', () => {
  it('allows maxRestarts within the window, then refuses until one leaves it', () => {
    const intensity = new RestartIntensity(2, 100, 'sup');
    expect(intensity.allow(0)).toBe(true);
    expect(intensity.allow(50)).toBe(true);
    expect(intensity.allow(99)).toBe(false);
    expect(intensity.recent(99)).toBe(2);
    expect(intensity.allow(100)).toBe(true);
    expect(intensity.recent(100)).toBe(2);
    expect(intensity.recent(1000)).toBe(0);
  });

  it('counts recent restarts as the plain definition does, also when the clock goes back', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const goesBack of [false, true]) {
      const intensity = new RestartIntensity(40, 50, 'sup');
      const reference = new Reference(40, 50);
      let now = 1000;
      for (let i = 0; i < 2000; i++) {
        now += goesBack && random() < 0.05 ? -Math.floor(random() * 40) : Math.floor(random() * 4);
        expect(intensity.allow(now)).toBe(reference.allow(now));
        for (const probe of [now - 20, now, now + 10, now + 60]) {
          expect(intensity.recent(probe)).toBe(reference.recent(probe));
        }
      }
    }
  });
});
