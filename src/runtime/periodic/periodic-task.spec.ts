import { ManualClock } from '../manual-clock.js';
import { ServerProcess } from '../server-process.js';
import type { TaskRunner } from '../server-template.js';
import { silent, turn } from '../spec-helpers.js';
import type { PeriodicJobInfo, PeriodicSpec } from './periodic-job.js';
import { fixedDelay, fixedRate } from './schedule.js';

/** A slow report: each run waits for the test to release it. */
class Report {
  runs: number[] = [];
  signals: AbortSignal[] = [];
  releases: ((fail?: Error) => void)[] = [];
  served = 0;
  constructor(readonly clock: ManualClock) {}

  build(signal: AbortSignal): Promise<void> {
    this.runs.push(this.clock.now());
    this.signals.push(signal);
    return new Promise((resolve, reject) => this.releases.push((fail) => (fail ? reject(fail) : resolve())));
  }
  ping(): number {
    return ++this.served;
  }
}

/** Runs each task at once on a promise, as a TaskSupervisor would (without its logging and limits). */
function runner(): TaskRunner & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    run(fn, options, onExit) {
      started.push(options.name);
      const controller = new AbortController();
      void Promise.resolve()
        .then(() => fn(controller.signal))
        .then(
          () => onExit({ ok: true }),
          (error: unknown) => onExit({ ok: false, error }),
        );
    },
  };
}

function server(clock: ManualClock, options: Partial<PeriodicSpec<Report>> = {}, tasks = runner()) {
  const instances: Report[] = [];
  const process = new ServerProcess<Report>(
    {
      name: 'Reports',
      create: () => {
        const report = new Report(clock);
        instances.push(report);
        return report;
      },
      calls: { ping: Report.prototype.ping },
      periodic: [
        {
          name: 'build',
          handler: Report.prototype.build as (this: Report) => unknown,
          schedule: fixedRate(1000),
          runAs: 'task',
          ...options,
        },
      ],
    },
    { clock, logger: silent, tasks },
  );
  const job = (): PeriodicJobInfo => (process.info().periodic as PeriodicJobInfo[])[0];
  return { process, instances, job, tasks };
}

describe("periodic runAs: 'task'", () => {
  it('starts each run as a task: the mailbox keeps serving while a run outlasts its period', async () => {
    const clock = new ManualClock(0);
    const { process, instances, job, tasks } = server(clock);
    await process.start();
    await clock.advanceByAsync(1000);
    const report = instances[0];
    expect(report.runs).toEqual([1000]);
    expect(tasks.started).toEqual(['Reports.build']);
    expect(report.signals[0]).toBeInstanceOf(AbortSignal);
    await expect(process.call('ping', [])).resolves.toBe(1); // not blocked by the running report
    await clock.advanceByAsync(1000); // the 2000 tick comes while the first run still goes on
    expect(report.runs).toEqual([1000]);
    expect(job()).toMatchObject({ runs: 1, skipped: 1, running: true });
    report.releases[0]();
    await turn();
    expect(job()).toMatchObject({ running: false, lastDurationMs: 1000 });
    await clock.advanceByAsync(1000);
    expect(report.runs).toEqual([1000, 3000]); // on the original grid: no drift
    report.releases[1]();
    await process.stop();
  });

  it("with overlap 'queue', one run waits behind the running one and starts when it ends", async () => {
    const clock = new ManualClock(0);
    const { process, instances, job } = server(clock, { overlap: 'queue' });
    await process.start();
    await clock.advanceByAsync(3000); // ticks at 1000 (runs), 2000 (waits), 3000 (skipped: one waits)
    const report = instances[0];
    expect(report.runs).toEqual([1000]);
    expect(job()).toMatchObject({ runs: 1, skipped: 1 });
    report.releases[0]();
    await turn();
    expect(report.runs).toEqual([1000, 3000]);
    report.releases[1]();
    await turn();
    expect(job()).toMatchObject({ runs: 2, running: false });
    await process.stop();
  });

  it('counts a failing run without crashing the server', async () => {
    const clock = new ManualClock(0);
    const { process, instances, job } = server(clock);
    await process.start();
    await clock.advanceByAsync(1000);
    instances[0].releases[0](new Error('report service down'));
    await turn();
    expect(job()).toMatchObject({ failures: 1, running: false });
    expect(process.status).toBe('running');
    expect(process.info().restarts).toBe(0);
    await process.stop();
  });

  it('with fixed delay, waits the period after the task ends', async () => {
    const clock = new ManualClock(0);
    const { process, instances } = server(clock, { schedule: fixedDelay(1000) });
    await process.start();
    await clock.advanceByAsync(1000);
    await clock.advanceByAsync(500);
    instances[0].releases[0]();
    await turn();
    await clock.advanceByAsync(1000);
    expect(instances[0].runs).toEqual([1000, 2500]);
    instances[0].releases[1]();
    await process.stop();
  });

  it('needs a task runner', () => {
    const clock = new ManualClock(0);
    expect(
      () =>
        new ServerProcess<Report>(
          {
            name: 'Reports',
            create: () => new Report(clock),
            periodic: [{ name: 'build', handler: () => undefined, schedule: fixedRate(1000), runAs: 'task' }],
          },
          { clock, logger: silent },
        ),
    ).toThrow(/periodic job 'build' runs as a task, which needs a task supervisor/);
  });
});
