import { jest } from '@jest/globals';
import { setImmediate as realSetImmediate } from 'node:timers';
import { Agent } from './agent.js';
import { DrainScheduler, SLICE, defaultScheduler } from './drain-scheduler.js';
import { DynamicSupervisor } from './dynamic-supervisor.js';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import type { ServerSpec } from './server-spec.js';
import { ServerTemplate } from './server-template.js';
import { SystemClock } from './system-clock.js';
import { silent, until } from './spec-helpers.js';

class Tally {
  handled = 0;
  note(): void {
    this.handled++;
  }
  read(): number {
    return this.handled;
  }
}

function tallySpec(name: string, instances: Tally[] = []): ServerSpec<Tally> {
  return {
    name,
    create: () => {
      const tally = new Tally();
      instances.push(tally);
      return tally;
    },
    casts: { note: Tally.prototype.note },
    calls: { read: Tally.prototype.read },
  };
}

/** The scheduler a process drains on (white-box: the runtime never exposes it). */
function schedulerOf<T extends object>(process: ServerProcess<T>): DrainScheduler {
  return (process as unknown as { t: ServerTemplate }).t.scheduler;
}

/** A system clock that counts its readings. */
class CountingClock extends SystemClock {
  reads = 0;
  override now(): number {
    this.reads++;
    return super.now();
  }
}

describe('DrainScheduler', () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
  });

  /**
   * Floods `busy` with more than a slice of casts and sends `lone` one, then looks at both from a
   * macrotask queued before the flood: it runs after the first slice, before the busy scheduler resumes.
   */
  async function floodAndLook(a: DrainScheduler, b: DrainScheduler) {
    const busy: Tally[] = [];
    const lone: Tally[] = [];
    const busyProcess = new ServerProcess(tallySpec('busy', busy), { clock, logger: silent, scheduler: a });
    const loneProcess = new ServerProcess(tallySpec('lone', lone), { clock, logger: silent, scheduler: b });
    await busyProcess.start();
    await loneProcess.start();
    let seen: { busy: number; lone: number; leftA: number; leftB: number } | undefined;
    setImmediate(() => {
      seen = { busy: busy[0].handled, lone: lone[0].handled, leftA: a.left, leftB: b.left };
    });
    for (let i = 0; i < SLICE + 500; i++) busyProcess.cast('note', []);
    loneProcess.cast('note', []);
    await until(() => seen !== undefined);
    // Everything is handled in the end.
    await expect(busyProcess.call('read', [])).resolves.toBe(SLICE + 500);
    await expect(loneProcess.call('read', [])).resolves.toBe(1);
    return seen as NonNullable<typeof seen>;
  }

  it('gives processes on different schedulers their own budget: a flood on one does not hold up the other', async () => {
    const seen = await floodAndLook(new DrainScheduler(), new DrainScheduler());
    expect(seen.busy).toBe(SLICE); // the busy scheduler yielded after one slice...
    expect(seen.leftA).toBe(0);
    expect(seen.lone).toBe(1); // ...and the other handled its message in the same turn, from a full budget
    expect(seen.leftB).toBe(SLICE);
  });

  it('makes processes sharing a scheduler share its slice', async () => {
    const shared = new DrainScheduler();
    const seen = await floodAndLook(shared, shared);
    expect(seen.busy).toBe(SLICE);
    expect(seen.lone).toBe(0); // queued behind the flood: its turn comes after the yield
    expect(seen.leftA).toBe(0);
  });

  it('stamps call deadlines at the end of the run of the called process, even while another scheduler has yielded', async () => {
    const counting = new CountingClock();
    const a = new DrainScheduler();
    const busy = new ServerProcess(tallySpec('busy'), { clock, logger: silent, scheduler: a });
    const other = new ServerProcess(tallySpec('other'), { clock: counting, logger: silent });
    await busy.start();
    await other.start();
    let readsAtCall = -1;
    let yielded = false;
    let answer: Promise<unknown> | undefined;
    setImmediate(() => {
      yielded = a.left === 0;
      const before = counting.reads;
      answer = other.call('read', [], 1000);
      readsAtCall = counting.reads - before;
    });
    for (let i = 0; i < SLICE + 1; i++) busy.cast('note', []);
    await until(() => answer !== undefined);
    expect(yielded).toBe(true);
    expect(readsAtCall).toBe(0); // batched: its own scheduler has not yielded
    await expect(answer).resolves.toBe(0);
  });

  it('gives every process made without a scheduler the runtime default, whatever its template', () => {
    const template = new ServerTemplate(tallySpec('t'), { clock });
    const a = new ServerProcess(template);
    const b = new ServerProcess(template);
    expect(template.scheduler).toBe(defaultScheduler());
    expect(schedulerOf(a)).toBe(template.scheduler);
    expect(schedulerOf(b)).toBe(template.scheduler);
    expect(schedulerOf(new ServerProcess(tallySpec('u'), { clock }))).toBe(defaultScheduler());
  });

  it('lets a ping-pong between two default-scheduled servers yield to the event loop', async () => {
    // Each server casts to the other from its handler: on schedulers of their own, every hop would
    // empty one queue and refill its budget, and a macrotask queued first would wait for ever.
    const rounds = { n: 0 };
    const peers: ServerProcess<{ hop(): void }>[] = [];
    const spec = (
      name: string,
      other: () => ServerProcess<{ hop(): void }>,
    ): ServerSpec<{ hop(): void }> => ({
      name,
      create: () => ({
        hop(): void {
          if (++rounds.n < 4 * SLICE) other().cast('hop', []);
        },
      }),
      casts: {
        hop(this: { hop(): void }) {
          this.hop();
        },
      },
    });
    peers.push(
      new ServerProcess(
        spec('ping', () => peers[1]),
        { clock, logger: silent },
      ),
    );
    peers.push(
      new ServerProcess(
        spec('pong', () => peers[0]),
        { clock, logger: silent },
      ),
    );
    await Promise.all(peers.map((p) => p.start()));
    let seenAt = -1;
    realSetImmediate(() => (seenAt = rounds.n));
    peers[0].cast('hop', []);
    await until(() => rounds.n >= 4 * SLICE);
    expect(seenAt).toBeGreaterThan(0); // the macrotask ran in the middle of the exchange...
    expect(seenAt).toBeLessThan(4 * SLICE); // ...not after it
    await Promise.all(peers.map((p) => p.stop()));
  });

  it('uses the scheduler given in the options', () => {
    const scheduler = new DrainScheduler();
    expect(new ServerTemplate(tallySpec('t'), { scheduler }).scheduler).toBe(scheduler);
    const p = new ServerProcess(tallySpec('u'), { clock, scheduler });
    expect(schedulerOf(p)).toBe(scheduler);
  });

  it('starts a standalone agent on the scheduler it is given', async () => {
    const scheduler = new DrainScheduler();
    const agent = await Agent.start({ name: 'a', initial: () => 0, clock, logger: silent, scheduler });
    expect(schedulerOf(agent.process)).toBe(scheduler);
    await agent.process.stop();
  });

  it("shares one scheduler among a dynamic supervisor's children, or the one it is given", async () => {
    const make = (scheduler?: DrainScheduler) =>
      new DynamicSupervisor<Tally>({
        name: 'tallies',
        spec: tallySpec('tally'),
        clock,
        logger: silent,
        scheduler,
      });
    const sup = make();
    await sup.start();
    const first = await sup.startChild();
    const second = await sup.startChild();
    expect(schedulerOf(first)).toBe(schedulerOf(second));

    const given = new DrainScheduler();
    const other = make(given);
    await other.start();
    const third = await other.startChild();
    expect(schedulerOf(third)).toBe(given);
    expect(schedulerOf(third)).not.toBe(schedulerOf(first));
    await sup.stop();
    await other.stop();
  });
});

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
