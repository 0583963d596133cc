import { ManualClock } from '../manual-clock.js';
import { ServerProcess } from '../server-process.js';
import { silent } from '../spec-helpers.js';
import { Supervisor } from '../supervisor.js';
import type { PeriodicJobInfo, PeriodicSpec } from './periodic-job.js';
import { aligned, cron, fixedDelay, fixedRate } from './schedule.js';

const SECOND = 1000;
const HOUR = 3_600_000;

/** A job that records when each run started (clock time) and can be made slow or failing. */
class Job {
  runs: number[] = [];
  constructor(readonly clock: ManualClock) {}
}

type JobOptions = Omit<PeriodicSpec<Job>, 'name' | 'handler' | 'schedule'>;

function server(
  clock: ManualClock,
  schedule: PeriodicSpec['schedule'],
  work: (job: Job) => unknown = () => undefined,
  options: JobOptions = {},
  random?: () => number,
) {
  const created: Job[] = [];
  const process = new ServerProcess<Job>(
    {
      name: 'Sync',
      create: () => {
        const job = new Job(clock);
        created.push(job);
        return job;
      },
      periodic: [
        {
          name: 'sync',
          handler(this: Job) {
            this.runs.push(this.clock.now());
            return work(this);
          },
          schedule,
          ...options,
        },
      ],
    },
    { clock, logger: silent, random },
  );
  const job = (): PeriodicJobInfo => (process.info().periodic as PeriodicJobInfo[])[0];
  const control = () => process.periodicJobs()[0];
  return { process, created, job, control };
}

/** A deterministic random source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('periodic jobs (manual clock)', () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 2, 5, 10, 17, 42, 123));
  });

  it('fixed rate stays on schedule while each run takes 30% of the period: drift 0 after 1000 ticks', async () => {
    const { process, created, job } = server(clock, fixedRate(SECOND), () => clock.advanceBy(300));
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(1000 * SECOND);
    const runs = created[0].runs;
    expect(runs).toHaveLength(1000);
    expect(runs.every((at, i) => at === start + (i + 1) * SECOND)).toBe(true);
    expect(job()).toMatchObject({ runs: 1000, skipped: 0, missed: 0, lastDurationMs: 300 });
    await process.stop();
  });

  it('fixed delay spaces runs from the end of the previous run', async () => {
    const { process, created } = server(clock, fixedDelay(SECOND), () => clock.advanceBy(300));
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(10 * SECOND);
    // First tick one period after start; each next one a period after the previous run ended.
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 2300, 3600, 4900, 6200, 7500, 8800]);
    await process.stop();
  });

  it('fixed delay measures from the end of async work too', async () => {
    let finish: () => void = () => undefined;
    const { process, created, job } = server(
      clock,
      fixedDelay(SECOND),
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(SECOND); // first run starts and waits
    await clock.advanceByAsync(5 * SECOND); // no tick while it runs
    expect(created[0].runs.map((at) => at - start)).toEqual([1000]);
    finish();
    await clock.settle();
    expect(job()).toMatchObject({ lastDurationMs: 5000, nextRunAt: start + 7000 });
    await process.stop();
  });

  it('aligned hits wall-clock boundaries from an arbitrary start time', async () => {
    const hourly = server(clock, aligned(HOUR));
    const tenMinutes = server(new ManualClock(clock.now()), aligned(10 * 60_000, 60_000));
    await hourly.process.start();
    await tenMinutes.process.start();
    await clock.advanceByAsync(3 * HOUR);
    expect(hourly.created[0].runs.map((at) => new Date(at).toISOString())).toEqual([
      '2026-03-05T11:00:00.000Z',
      '2026-03-05T12:00:00.000Z',
      '2026-03-05T13:00:00.000Z',
    ]);
    const other = tenMinutes.created[0].clock;
    await other.advanceByAsync(25 * 60_000);
    expect(tenMinutes.created[0].runs.map((at) => new Date(at).toISOString().slice(11, 19))).toEqual([
      '10:21:00',
      '10:31:00',
      '10:41:00',
    ]);
    await hourly.process.stop();
    await tenMinutes.process.stop();
  });

  it('cron in Europe/Prague runs once at the right instant across both DST changes', async () => {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Europe/Prague',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    const prague = (at: number) =>
      format
        .formatToParts(at)
        .filter((p) => p.type !== 'literal')
        .map((p) => p.value)
        .join(' ');
    clock = new ManualClock(Date.UTC(2026, 2, 27, 12));
    const nightly = server(clock, cron('30 2 * * *', 'Europe/Prague'));
    await nightly.process.start();
    await clock.advanceToAsync(Date.UTC(2026, 2, 31, 12));
    // 29 March: 02:30 does not exist (02:00 CET → 03:00 CEST); the run happens when the gap ends.
    expect(nightly.created[0].runs.map(prague)).toEqual([
      '03 28 02 30 GMT+1',
      '03 29 03 00 GMT+2',
      '03 30 02 30 GMT+2',
      '03 31 02 30 GMT+2',
    ]);
    await clock.advanceToAsync(Date.UTC(2026, 9, 23, 12));
    nightly.created[0].runs = [];
    await clock.advanceToAsync(Date.UTC(2026, 9, 26, 12));
    // 25 October: 02:30 happens twice (CEST, then CET); the job runs once.
    expect(nightly.created[0].runs.map(prague)).toEqual([
      '10 24 02 30 GMT+2',
      '10 25 02 30 GMT+2',
      '10 26 02 30 GMT+1',
    ]);
    await nightly.process.stop();
  });

  it('cron every hour runs at every real hour of the 25-hour fall-back day', async () => {
    clock = new ManualClock(Date.UTC(2026, 9, 24, 22) - 1); // just before 25 Oct 00:00 in Prague (CEST)
    const hourly = server(clock, cron('0 * * * *', 'Europe/Prague'));
    await hourly.process.start();
    await clock.advanceToAsync(Date.UTC(2026, 9, 25, 23) - 1); // until just before 26 Oct 00:00 (CET)
    const runs = hourly.created[0].runs;
    expect(runs).toHaveLength(25);
    expect(runs.every((at, i) => at === Date.UTC(2026, 9, 24, 22) + i * HOUR)).toBe(true);
    await hourly.process.stop();
  });

  it('skips a tick that comes while the previous run is still running, and counts it', async () => {
    let finish: () => void = () => undefined;
    const { process, created, job } = server(
      clock,
      fixedRate(SECOND),
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(3.5 * SECOND); // run at 1 s; 2 s and 3 s come while it runs
    expect(job()).toMatchObject({ runs: 1, skipped: 2, running: true });
    finish();
    await clock.advanceByAsync(SECOND); // 4 s runs
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 4000]);
    expect(job()).toMatchObject({ runs: 2, skipped: 2, lastDurationMs: 2500, running: true });
    finish();
    await process.stop();
  });

  it("with overlap 'queue' keeps one tick waiting behind the running one", async () => {
    let finish: () => void = () => undefined;
    const { process, created, job } = server(
      clock,
      fixedRate(SECOND),
      () => new Promise<void>((resolve) => (finish = resolve)),
      { overlap: 'queue' },
    );
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(3.5 * SECOND); // 2 s queued, 3 s skipped (one is already waiting)
    expect(job()).toMatchObject({ runs: 1, skipped: 1 });
    finish();
    await clock.settle(); // the queued tick runs at once
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 3500]);
    finish();
    await clock.settle();
    expect(job()).toMatchObject({ runs: 2, skipped: 1, running: false });
    await process.stop();
  });

  it('runs one tick after a stall of 5 periods and counts the rest as missed', async () => {
    const { process, created, job } = server(clock, fixedRate(SECOND));
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(SECOND); // run at 1 s
    clock.stall(5.5 * SECOND); // the event loop is blocked from 1 s to 6.5 s: ticks 2..6 s fall inside
    await clock.settle();
    expect(job()).toMatchObject({ runs: 2, missed: 4, nextRunAt: start + 7 * SECOND });
    await clock.advanceByAsync(SECOND);
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 6500, 7000]);
    await process.stop();
  });

  it('catches up on missed ticks when asked to', async () => {
    const { process, created, job } = server(clock, fixedRate(SECOND), undefined, { catchUp: true });
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(SECOND);
    clock.stall(5.5 * SECOND);
    await clock.settle();
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 6500, 6500, 6500, 6500, 6500]);
    expect(job()).toMatchObject({ runs: 6, missed: 0 });
    await process.stop();
  });

  it('delays each tick by a bounded jitter without moving the schedule', async () => {
    const { process, created } = server(clock, fixedRate(SECOND), undefined, { jitterMs: 100 }, seeded(42));
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(500 * SECOND + 100);
    const offsets = created[0].runs.map((at, i) => at - (start + (i + 1) * SECOND));
    expect(offsets).toHaveLength(500);
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThanOrEqual(100);
    expect(new Set(offsets).size).toBeGreaterThan(50); // actually random, not a constant delay
    await process.stop();
  });

  it('runOnInit runs at once after every start, restarts included', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    let fail = false;
    const { process, created, job } = server(
      clock,
      fixedRate(HOUR),
      () => {
        if (!fail) return;
        fail = false;
        throw new Error('sync failed');
      },
      { runOnInit: true },
    );
    sup.add(process);
    await sup.start();
    await clock.settle();
    expect(created[0].runs).toEqual([clock.now()]);
    fail = true;
    process.periodicJobs()[0].trigger();
    await clock.settle();
    expect(created).toHaveLength(2);
    expect(created[1].runs).toEqual([clock.now()]);
    expect(job()).toMatchObject({ runs: 3, failures: 1 });
    await sup.stop();
  });

  it('a tick that throws crashes the server; the restarted server keeps the schedule', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    const { process, created, job } = server(clock, fixedRate(SECOND), (j) => {
      if (j.runs.length === 3) throw new Error('third run fails');
    });
    const start = clock.now();
    sup.add(process);
    await sup.start();
    await clock.advanceByAsync(3 * SECOND + 400);
    expect(created).toHaveLength(2);
    expect(process.info()).toMatchObject({ status: 'running', restarts: 1 });
    await clock.advanceByAsync(2 * SECOND);
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 2000, 3000]);
    expect(created[1].runs.map((at) => at - start)).toEqual([4000, 5000]);
    expect(job()).toMatchObject({ runs: 5, failures: 1, status: 'scheduled' });
    await sup.stop();
  });

  it('pause stops ticks, resume continues on the schedule, trigger runs now', async () => {
    const { process, created, job, control } = server(clock, fixedRate(SECOND));
    const start = clock.now();
    await process.start();
    await clock.advanceByAsync(2 * SECOND);
    control().pause();
    expect(job()).toMatchObject({ status: 'paused' });
    expect(job().nextRunAt).toBeUndefined();
    await clock.advanceByAsync(3 * SECOND);
    expect(created[0].runs).toHaveLength(2);
    control().trigger(); // runs even while paused
    await clock.settle();
    clock.advanceBy(250);
    control().resume();
    expect(job()).toMatchObject({ status: 'scheduled', nextRunAt: start + 6 * SECOND });
    await clock.advanceByAsync(SECOND);
    expect(created[0].runs.map((at) => at - start)).toEqual([1000, 2000, 5000, 6000]);
    await process.stop();
  });

  it('enabled: false starts paused until resumed', async () => {
    const { process, created, job, control } = server(clock, fixedRate(SECOND), undefined, {
      enabled: false,
    });
    await process.start();
    await clock.advanceByAsync(5 * SECOND);
    expect(created[0].runs).toEqual([]);
    expect(job().status).toBe('paused');
    control().resume();
    await clock.advanceByAsync(SECOND);
    expect(created[0].runs).toHaveLength(1);
    await process.stop();
  });

  it('reports next run, last run, duration and counts', async () => {
    const { process, job } = server(clock, fixedRate(10 * SECOND), () => clock.advanceBy(1234));
    const start = clock.now();
    expect(job()).toMatchObject({
      status: 'stopped',
      runs: 0,
      name: 'Sync.sync',
      schedule: 'every 10s, fixed rate',
    });
    await process.start();
    expect(job()).toEqual({
      name: 'Sync.sync',
      schedule: 'every 10s, fixed rate',
      status: 'scheduled',
      nextRunAt: start + 10_000,
      runs: 0,
      skipped: 0,
      missed: 0,
      failures: 0,
      running: false,
    });
    await clock.advanceByAsync(10 * SECOND);
    expect(job()).toMatchObject({
      lastRunAt: start + 10_000,
      lastDurationMs: 1234,
      runs: 1,
      nextRunAt: start + 20_000,
    });
    expect(process.info().handled.ticks).toBe(1);
    await process.stop();
    expect(job().status).toBe('stopped');
  });
});
