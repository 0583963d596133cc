/**
 * Scenario: a metrics collector on a fixed rate.
 *
 * From "GenServer Patterns You Should Know" (Timeouts and Periodic Work): `MetricsCollector` schedules
 * its first `:collect` in `init` and the next one at the end of each `handle_info(:collect, …)` with
 * `Process.send_after`, keeping every sample in its state — so each collection's duration delays all
 * the later ones, and the list grows for ever. In the example app (apps/example/src/metrics) the
 * collection is a fixed-rate `@Periodic` (every 5 s for the demo, from `MetricsOptions`): tick n is
 * planned at start + n × every, a late tick is late alone, and the samples — memory, event-loop delay and
 * the runtime's snapshot counts — go to a ring of the last `keep`.
 *
 * Proves through HTTP, on the manual clock: N periods give exactly N samples, each planned and run on the
 * grid; the ring keeps only the last `keep`; after a stalled event loop the late tick is reported late and
 * the next one is back on the grid; the samples read the real process and tree; a crash empties the ring
 * (state is the instance's) but the job keeps its grid and its count.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import { scenarioModule } from './scenario-module.js';
import { MetricsCollector, type Sample } from '../apps/example/src/metrics/metrics-collector.server.js';
import { MetricsModule } from '../apps/example/src/metrics/metrics.module.js';
import { MetricsOptions } from '../apps/example/src/metrics/metrics.options.js';

describe('Scenario: a metrics collector on a fixed rate', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  const metrics = async () => (await http.get('/metrics').expect(200)).body;
  /** Planned and actual times of the samples in the ring, oldest first. */
  const ticks = (samples: Sample[]) =>
    samples.map(({ tick, plannedAt, at }) => [tick, plannedAt, at]).reverse();

  beforeEach(async () => {
    harness = await GenServerTesting.start(
      scenarioModule(MetricsModule)
        .overrideProvider(MetricsOptions)
        .useValue({ every: '5s', keep: 3, warnLateMs: 100 }),
      { http: true, now: '2026-03-05T10:00:00Z' },
    );
    http = request(harness.app.getHttpServer());
  });
  afterEach(() => harness.close());

  it('samples exactly on the fixed rate, and keeps only the last 3', async () => {
    await harness.advanceBy('20s'); // ticks at :05, :10, :15, :20
    const report = await metrics();
    expect(ticks(report.samples)).toEqual([
      [2, '2026-03-05T10:00:10.000Z', '2026-03-05T10:00:10.000Z'],
      [3, '2026-03-05T10:00:15.000Z', '2026-03-05T10:00:15.000Z'],
      [4, '2026-03-05T10:00:20.000Z', '2026-03-05T10:00:20.000Z'],
    ]); // tick 1 left the ring
    expect(report.drift).toEqual({
      ticks: 4,
      nextPlannedAt: '2026-03-05T10:00:25.000Z',
      lastLateMs: 0,
      maxLateMs: 0,
    });

    await harness.advanceBy('1h'); // 720 more periods: 720 more ticks, none off the grid
    const later = await metrics();
    expect(later.drift).toMatchObject({
      ticks: 724,
      nextPlannedAt: '2026-03-05T11:00:25.000Z',
      maxLateMs: 0,
    });
    expect(later.samples).toHaveLength(3);
    expect((await harness.getState(MetricsCollector)).samples).toHaveLength(3);
  });

  it('a tick delayed by a stalled event loop is late alone: the next one is back on the grid', async () => {
    await harness.advanceBy('23s'); // ticks at :05, :10, :15, :20
    harness.clock.stall(3000); // blocked from :23 to :26: the :25 tick fires a second late
    await harness.idle();
    await harness.advanceTo('2026-03-05T10:00:30Z');
    expect(ticks((await metrics()).samples)).toEqual([
      [4, '2026-03-05T10:00:20.000Z', '2026-03-05T10:00:20.000Z'],
      [5, '2026-03-05T10:00:25.000Z', '2026-03-05T10:00:26.000Z'],
      [6, '2026-03-05T10:00:30.000Z', '2026-03-05T10:00:30.000Z'], // not :31
    ]);
    expect((await metrics()).drift).toMatchObject({ lastLateMs: 0, maxLateMs: 1000 });
  });

  it('samples read the process and the supervision tree', async () => {
    await http.get('/metrics').expect(200, {
      every: '5s',
      keep: 3,
      drift: { ticks: 0, nextPlannedAt: '2026-03-05T10:00:05.000Z', lastLateMs: null, maxLateMs: null },
      samples: [],
    });
    await harness.advanceBy('5s');
    const [sample] = (await metrics()).samples;
    expect(sample).toMatchObject({ lateMs: 0, servers: { running: 1, restarts: 0 } });
    expect(sample.heapUsedMb).toBeGreaterThan(0);
    expect(sample.rssMb).toBeGreaterThanOrEqual(sample.heapUsedMb);
    expect(sample.eventLoopDelayMs).toEqual({
      mean: expect.any(Number),
      p99: expect.any(Number),
      max: expect.any(Number),
    });
  });

  it('a crash empties the ring, but the job keeps its grid and its count', async () => {
    await harness.advanceBy('10s');
    await harness.crash(MetricsCollector, new Error('probe broke'));
    expect((await metrics()).samples).toEqual([]); // the samples were the crashed instance's state
    await harness.advanceBy('7s'); // 10:00:17
    const { samples, drift } = await metrics();
    expect(ticks(samples)).toEqual([[3, '2026-03-05T10:00:15.000Z', '2026-03-05T10:00:15.000Z']]);
    expect(samples[0].servers).toEqual({ running: 1, restarts: 1 });
    expect(drift).toMatchObject({ ticks: 3, nextPlannedAt: '2026-03-05T10:00:20.000Z' });
  });
});
