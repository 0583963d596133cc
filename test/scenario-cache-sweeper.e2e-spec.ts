/**
 * Scenario: a cache owned by a GenServer, swept of expired entries on a schedule.
 *
 * From "Is GenServer used in real life applications?" (Elixir Forum), a GenServer for the clean-up of a
 * cache: "I originally implemented the entire cache in a genserver […] but still use the GenServer to
 * periodically go over the cache and remove expired entries." In the example app (apps/example/src/cache)
 * the whole cache is `CacheServer`'s state: `put`/`get`/`delete` are calls and the sweep is a
 * `@Periodic` tick, all through one mailbox, so the sweep never races a write. The app sweeps every 5 s
 * for the demo; this spec pins `CacheOptions` to a sweep a minute. The hand-written alternative is a
 * `@HandleCast() sweep()` that ends with `this.self.castAfter('1m', 'sweep')`, first scheduled from
 * `@Init` (the MetricsCollector of "GenServer Patterns You Should Know"): it drifts by each sweep's duration.
 *
 * Proves through HTTP, on the manual clock: `GET /cache/:key` stops serving an entry at its TTL (404), but
 * the entry leaves memory only at the first sweep after it (seen in `GET /cache` and with `getState`);
 * each sweep removes exactly what has expired by then; the body is checked, and a delete is a 204 or 404.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import { CacheModule } from '../apps/example/src/cache/cache.module.js';
import { CacheOptions } from '../apps/example/src/cache/cache.options.js';
import { CacheServer } from '../apps/example/src/cache/cache.server.js';
import { scenarioModule } from './scenario-module.js';

describe('Scenario: a GenServer cache with a periodic sweeper', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  /** The keys the cache holds in memory, expired or not: only getState() shows them. */
  const heldKeys = async () => [...(await harness.getState(CacheServer)).entries.keys()];
  const put = (key: string, value: string, ttlMs: number) =>
    http.put(`/cache/${key}`).send({ value, ttlMs }).expect(200);

  beforeEach(async () => {
    harness = await GenServerTesting.start(
      scenarioModule(CacheModule)
        .overrideProvider(CacheOptions)
        .useValue({ sweepEvery: '1m', defaultTtl: '5m' }),
      { http: true, now: '2026-03-05T10:00:00Z' }, // sweeps at 10:01, 10:02, …
    );
    http = request(harness.app.getHttpServer());
  });
  afterEach(() => harness.close());

  it('stops serving an entry at its TTL; the next sweep removes it from memory', async () => {
    await put('session:ana', 'token-a', 90_000).expect({
      key: 'session:ana',
      value: 'token-a',
      expiresAt: '2026-03-05T10:01:30.000Z',
    });
    await put('session:bob', 'token-b', 5 * 60_000);

    await harness.advanceBy('90s'); // 10:01:30; the 10:01 sweep found nothing expired
    await http.get('/cache/session:ana').expect(404);
    expect((await http.get('/cache/session:bob').expect(200)).body.value).toBe('token-b');
    expect(await heldKeys()).toEqual(['session:ana', 'session:bob']); // expired, not yet swept
    await http.get('/cache').expect(200, {
      size: 2,
      expiredNotSwept: 1,
      hits: 1,
      misses: 1,
      sweeps: 1,
      swept: 0,
      lastSweep: { at: '2026-03-05T10:01:00.000Z', removed: 0 },
    });

    await harness.advanceBy('30s'); // 10:02: the first sweep after ana's TTL
    expect(await heldKeys()).toEqual(['session:bob']);
    const { body } = await http.get('/cache').expect(200);
    expect(body).toMatchObject({ size: 1, expiredNotSwept: 0, sweeps: 2, swept: 1 });
    expect(body.lastSweep).toEqual({ at: '2026-03-05T10:02:00.000Z', removed: 1 });
  });

  it('each sweep removes exactly what has expired by its tick', async () => {
    await put('a', '1', 30_000);
    await put('b', '2', 60_000); // expires on the 10:01 tick itself
    await put('c', '3', 60_001); // one millisecond later: waits for 10:02

    await harness.advanceBy(60_000 - 1);
    expect(await heldKeys()).toEqual(['a', 'b', 'c']); // no sweep yet
    await harness.advanceBy(1);
    expect(await heldKeys()).toEqual(['c']);
    await harness.advanceBy('1m');
    expect(await heldKeys()).toEqual([]);
    const { body } = await http.get('/cache').expect(200);
    expect(body).toMatchObject({ size: 0, sweeps: 2, swept: 3, lastSweep: { removed: 1 } });
  });

  it('an entry put without ttlMs lives for the default TTL; a delete answers 204, then 404', async () => {
    await http
      .put('/cache/greeting')
      .send({ value: { text: 'hello' } })
      .expect(200, {
        key: 'greeting',
        value: { text: 'hello' },
        expiresAt: '2026-03-05T10:05:00.000Z',
      });
    await http.get('/cache/greeting').expect(200);
    await http.delete('/cache/greeting').expect(204);
    await http.get('/cache/greeting').expect(404);
    await http.delete('/cache/greeting').expect(404);
    expect(await heldKeys()).toEqual([]);
  });

  it('refuses a body without a value, or a TTL that is not a positive number of ms', async () => {
    await http.put('/cache/k').send({ ttlMs: 1000 }).expect(400);
    await http.put('/cache/k').send({ value: 'v', ttlMs: '10s' }).expect(400);
    await http.put('/cache/k').send({ value: 'v', ttlMs: 0 }).expect(400);
    expect(await heldKeys()).toEqual([]);
  });
});
