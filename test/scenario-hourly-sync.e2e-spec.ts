/**
 * Scenario: the hourly job with no drift.
 *
 * From "Elixir GenServers for Web Developers" (the recurring job, "every hour to the second", and the
 * drift a `Process.send_after` at the end of the work adds) and "Doing Background Work Using a Native
 * Elixir Approach" (`CryptoApp.AccountSync`: fetch the account balance on a timer and keep `last_run_at`
 * in the state). In the example app (apps/example/src/prices) it is `PriceSync`: the hand-written
 * "milliseconds to the next full hour" is `@Periodic('1h', { align: true })`, and its state keeps the last
 * run (when, how long, the result) and a short history. The app adds a demo run every 10 s; this spec
 * pins `PricesOptions` to register it paused, and overrides the `PriceFeed`.
 *
 * Proves through HTTP, on the manual clock: started at 10:17:42, a day is exactly 24 runs, each on the
 * hour; a run that takes 45 minutes does not push the next one; a feed that does not answer is a routine
 * failure, recorded in the state; any other failing run crashes the server, is counted by the job, and the
 * next hour runs on the restarted server.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import { scenarioModule } from './scenario-module.js';
import { PriceFeed, PriceFeedUnavailableError } from '../apps/example/src/prices/price-feed.js';
import { PriceSync } from '../apps/example/src/prices/price-sync.server.js';
import { PricesModule } from '../apps/example/src/prices/prices.module.js';
import { PricesOptions } from '../apps/example/src/prices/prices.options.js';

const MINUTE = 60_000;

describe('Scenario: the hourly price sync, on the hour, with no drift', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  let feed: { fetch: jest.Mock<() => Promise<number>> };
  const prices = async () => (await http.get('/prices').expect(200)).body;
  /** The hourly job as `GET /jobs` lists it: the registry's counters and schedule. */
  const hourlyJob = async () =>
    (await http.get('/jobs').expect(200)).body.find(
      (job: { name: string }) => job.name === 'PriceSync.hourly',
    );

  beforeEach(async () => {
    feed = { fetch: jest.fn(async () => 1250) };
    harness = await GenServerTesting.start(
      scenarioModule(PricesModule)
        .overrideProvider(PriceFeed)
        .useValue(feed)
        .overrideProvider(PricesOptions)
        .useValue({ demoEvery: '10s', demo: false, historySize: 3 }), // the demo job registered paused
      { http: true, now: '2026-03-05T10:17:42Z' }, // off the hour, to prove the alignment
    );
    http = request(harness.app.getHttpServer());
  });
  afterEach(() => harness.close());

  it('runs exactly 24 times a day, each exactly on the hour', async () => {
    const askedAt: string[] = [];
    feed.fetch.mockImplementation(async () => {
      askedAt.push(new Date(harness.now()).toISOString());
      return 1250;
    });

    await harness.advanceBy('24h');

    const everyHour = Array.from({ length: 24 }, (_, i) =>
      new Date(Date.UTC(2026, 2, 5, 11 + i)).toISOString(),
    );
    expect(askedAt).toEqual(everyHour); // 2026-03-05T11:00:00.000Z … 2026-03-06T10:00:00.000Z
    const status = await prices();
    expect(status).toMatchObject({
      price: 1250,
      lastRunAt: '2026-03-06T10:00:00.000Z',
      runs: 24,
      failures: 0,
    });
    expect(status.history.map((run: { at: string }) => run.at)).toEqual(everyHour.slice(-3).reverse());
    expect(await hourlyJob()).toMatchObject({
      schedule: 'every 1h, aligned',
      runs: 24,
      skipped: 0,
      failures: 0,
    });
  });

  it('a run that takes 45 minutes does not push the next one', async () => {
    let answer!: (price: number) => void;
    feed.fetch.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));

    await harness.advanceTo('2026-03-05T11:45:00Z'); // the 11:00 run still waits for the feed
    expect(await hourlyJob()).toMatchObject({ runs: 1, running: true });
    answer(1300);
    await harness.idle();
    expect(await hourlyJob()).toMatchObject({
      lastDurationMs: 45 * MINUTE,
      nextRunAt: Date.parse('2026-03-05T12:00:00Z'), // not 12:45, as a send_after at the end would do
    });
    expect(await prices()).toMatchObject({
      lastRunAt: '2026-03-05T11:00:00.000Z',
      lastDurationMs: 45 * MINUTE,
    });

    await harness.advanceTo('2026-03-05T12:00:00Z');
    expect(await prices()).toMatchObject({ price: 1250, lastRunAt: '2026-03-05T12:00:00.000Z' });
    expect(feed.fetch).toHaveBeenCalledTimes(2);
  });

  it('a feed that does not answer is a failed run in the history; the state survives it', async () => {
    feed.fetch.mockResolvedValueOnce(1200).mockRejectedValueOnce(new PriceFeedUnavailableError('timed out'));

    await harness.advanceTo('2026-03-05T13:00:00Z');
    expect(await prices()).toEqual({
      price: 1250,
      lastRunAt: '2026-03-05T13:00:00.000Z',
      lastDurationMs: 0,
      lastResult: 'ok',
      runs: 3,
      failures: 1,
      history: [
        { at: '2026-03-05T13:00:00.000Z', trigger: 'hourly', durationMs: 0, result: 'ok', price: 1250 },
        {
          at: '2026-03-05T12:00:00.000Z',
          trigger: 'hourly',
          durationMs: 0,
          result: 'failed',
          error: 'timed out',
        },
        { at: '2026-03-05T11:00:00.000Z', trigger: 'hourly', durationMs: 0, result: 'ok', price: 1200 },
      ],
    });
    expect(harness.events.types(PriceSync)).toEqual(['started']); // routine: no crash
  });

  it('any other failing run is counted, and the next hour runs on the restarted server', async () => {
    feed.fetch.mockRejectedValueOnce(new Error('feed answered garbage'));

    await harness.advanceTo('2026-03-05T11:30:00Z');
    expect(harness.events.types(PriceSync)).toEqual(['started', 'crashed', 'restarted']);
    expect(await prices()).toMatchObject({ price: null, lastRunAt: null, runs: 0 }); // a fresh instance

    await harness.advanceTo('2026-03-05T12:00:00Z');
    expect(await hourlyJob()).toMatchObject({
      runs: 2,
      failures: 1,
      lastRunAt: Date.parse('2026-03-05T12:00:00Z'),
    });
    expect(await prices()).toMatchObject({ price: 1250, lastRunAt: '2026-03-05T12:00:00.000Z', runs: 1 });
  });
});
