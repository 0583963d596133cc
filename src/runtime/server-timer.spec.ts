import { ManualClock } from './manual-clock.js';
import { fixedRate } from './periodic/schedule.js';
import { ServerProcess } from './server-process.js';
import { silent } from './spec-helpers.js';
import { Supervisor } from './supervisor.js';

/** A cache warmer (the reading's): warms on start and whenever it was left alone for a while. */
class Warmer {
  log: string[] = [];
  warmed = 0;
  constructor(readonly clock: ManualClock) {}
  get(): number {
    return this.warmed;
  }
  note(text: string): void {
    this.log.push(`${text}@${this.clock.now()}`);
  }
  warm(): void {
    this.warmed++;
    this.log.push(`warm@${this.clock.now()}`);
  }
  boom(): never {
    throw new Error('boom');
  }
}

function warmer(clock: ManualClock, idleAfter?: number) {
  const created: Warmer[] = [];
  const process = new ServerProcess<Warmer>(
    {
      name: 'Warmer',
      create: () => {
        const w = new Warmer(clock);
        created.push(w);
        return w;
      },
      calls: { get: Warmer.prototype.get, boom: Warmer.prototype.boom },
      casts: { note: Warmer.prototype.note },
      info: function (this: Warmer, message: unknown) {
        this.log.push(`info ${String(message)}@${this.clock.now()}`);
      },
      ...(idleAfter !== undefined ? { idle: { after: idleAfter, handler: Warmer.prototype.warm } } : {}),
      periodic: [
        { name: 'warm', handler: Warmer.prototype.warm, schedule: fixedRate(60_000), enabled: false },
      ],
    },
    { clock, logger: silent },
  );
  return { process, created };
}

describe('timers inside a server', () => {
  let clock: ManualClock;
  let start: number;
  beforeEach(() => {
    clock = new ManualClock(0);
    start = clock.now();
  });

  describe('sendAfter / castAfter', () => {
    it('delivers a message to the info handler after the delay, and a cast by name', async () => {
      const { process, created } = warmer(clock);
      await process.start();
      const timer = process.sendAfter('refresh', 500);
      process.castAfter(200, 'note', ['hello']);
      expect(timer).toMatchObject({ dueAt: start + 500, pending: true });
      await clock.advanceByAsync(1000);
      expect(created[0].log).toEqual(['hello@200', 'info refresh@500']);
      expect(timer.pending).toBe(false);
      expect(timer.cancel()).toBe(false);
      await process.stop();
    });

    it('cancel() stops delivery and says whether it was still pending', async () => {
      const { process, created } = warmer(clock);
      await process.start();
      const timer = process.sendAfter('refresh', 500);
      expect(timer.cancel()).toBe(true);
      expect(timer.cancel()).toBe(false);
      await clock.advanceByAsync(1000);
      expect(created[0].log).toEqual([]);
      expect(clock.pendingTimers).toBe(0);
      await process.stop();
    });

    it('a timer set from a handler (send_after to self) keeps a loop going', async () => {
      const created: { n: number }[] = [];
      let self: ServerProcess<{ n: number }> | undefined;
      const process = new ServerProcess<{ n: number }>(
        {
          name: 'Loop',
          create: () => {
            const o = { n: 0 };
            created.push(o);
            return o;
          },
          attach: (_instance, p) => (self = p),
          init: () => void self?.sendAfter('collect', 10_000),
          info: function (this: { n: number }) {
            this.n++;
            self?.sendAfter('collect', 10_000);
          },
        },
        { clock, logger: silent },
      );
      await process.start();
      await clock.advanceByAsync(60_000);
      expect(created[0].n).toBe(6);
      await process.stop();
      expect(clock.pendingTimers).toBe(0);
    });

    it("are cancelled when the server crashes: the restarted instance does not get the old instance's timers", async () => {
      const sup = new Supervisor({ name: 'root', clock, logger: silent });
      const { process, created } = warmer(clock);
      sup.add(process);
      await sup.start();
      process.sendAfter('stale', 1000);
      await expect(process.call('boom', [])).rejects.toThrow('boom');
      await clock.settle();
      expect(process.info()).toMatchObject({ status: 'running', incarnation: 2 });
      await clock.advanceByAsync(5000);
      expect(created.map((w) => w.log)).toEqual([[], []]);
      await sup.stop();
    });

    it('refuses bad use with clear errors', async () => {
      const { process } = warmer(clock);
      expect(() => process.sendAfter('x', 10)).toThrow(
        /Warmer cannot handle sendAfter\(\): it is idle \(a server sets timers for itself from @Init/,
      );
      await process.start();
      expect(() => process.sendAfter('x', -1)).toThrow(/sendAfter\(\) needs a delay in ms >= 0, got -1/);
      expect(() => process.castAfter(10, 'nope', [])).toThrow(/nope/);
      const noInfo = new ServerProcess({ name: 'Plain', create: () => ({}) }, { clock, logger: silent });
      await noInfo.start();
      expect(() => noInfo.sendAfter('x', 10)).toThrow(/no @HandleInfo handler.*castAfter/);
      expect(() => noInfo.setIdleTimeout(10)).toThrow(/no idle handler \(@OnIdle\)/);
      await process.stop();
      await noInfo.stop();
    });
  });

  describe('idle timeout', () => {
    it('runs the idle handler once no message arrived for the timeout, and again after each quiet period', async () => {
      const { process, created } = warmer(clock, 5000);
      await process.start();
      await clock.advanceByAsync(12_000);
      expect(created[0].log).toEqual(['warm@5000', 'warm@10000']);
      await process.stop();
    });

    it('any message resets it (the gotcha from the reading: frequent calls keep it from firing)', async () => {
      const { process, created } = warmer(clock, 5000);
      await process.start();
      for (let i = 0; i < 10; i++) {
        await clock.advanceByAsync(4000);
        await process.call('get', []);
      }
      expect(created[0].warmed).toBe(0);
      await clock.advanceByAsync(5000);
      expect(created[0].warmed).toBe(1);
      await process.stop();
    });

    it('reading the state is not activity: getState() does not push the idle timeout back', async () => {
      const { process, created } = warmer(clock, 5000);
      await process.start();
      await clock.advanceByAsync(4000);
      await process.getState();
      await clock.advanceByAsync(1000);
      expect(created[0].log).toEqual(['warm@5000']);
      await process.stop();
    });

    it('setIdleTimeout changes or turns it off from now on; a restart goes back to the declared one', async () => {
      const sup = new Supervisor({ name: 'root', clock, logger: silent });
      const { process, created } = warmer(clock, 5000);
      sup.add(process);
      await sup.start();
      process.setIdleTimeout(1000);
      await clock.advanceByAsync(2500);
      expect(created[0].log).toEqual(['warm@1000', 'warm@2000']);
      process.setIdleTimeout(Infinity);
      await clock.advanceByAsync(60_000);
      expect(created[0].warmed).toBe(2);
      expect(() => process.setIdleTimeout(0)).toThrow(/> 0 or Infinity/);
      await expect(process.call('boom', [])).rejects.toThrow('boom');
      await clock.settle();
      const restartedAt = clock.now();
      await clock.advanceByAsync(5000);
      expect(created[1].log).toEqual([`warm@${restartedAt + 5000}`]);
      await sup.stop();
    });
  });

  it('a stopped server leaves no timer behind (ticks, send-after, idle timeout, call deadlines)', async () => {
    const { process } = warmer(clock, 5000);
    await process.start();
    process.periodicJobs()[0].resume();
    process.sendAfter('later', 60_000);
    process.castAfter(30_000, 'note', ['x']);
    expect(clock.pendingTimers).toBeGreaterThanOrEqual(4);
    await process.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
