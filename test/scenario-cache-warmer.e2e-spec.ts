/**
 * Scenario: a cache warmer with an idle timeout.
 *
 * From "GenServer Patterns You Should Know" (Timeouts and Periodic Work): `CacheWarmer` warms its cache
 * in `init` from `Database.fetch_all_products()`, returns a timeout from every callback, and handles
 * `:timeout` — with the gotcha that "the timer resets whenever the process receives any message". In the
 * example app (apps/example/src/warmer) the timeout is `@OnIdle`, set from `WarmerOptions` in `@Init` (30 s
 * for the demo; this spec pins the article's 10 minutes), and when it fires the warmer drops the products
 * to free the memory; the next `GET /products` warms it again. (The article's variant re-warms on the
 * timeout instead: same decorator, other body. A warmer per tenant that should stop when idle is a
 * dynamic child evicted by `forDynamic(CacheWarmer, { idleTimeout: 10 * 60_000 })`.)
 *
 * Proves through HTTP, on the manual clock: one fetch at start, then requests are served from memory;
 * the products are dropped at exactly 10 minutes of silence, not a millisecond earlier; every request
 * re-arms the timer, so a warmer asked every 9 minutes never cools down. `GET /warmer` reads the state
 * with `getState()`, which only looks: unlike `:sys.get_state` in OTP, it does not re-arm the timer, so a
 * dashboard (or a test) can watch without keeping it warm.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type Duration } from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import { scenarioModule } from './scenario-module.js';
import { CacheWarmer } from '../apps/example/src/warmer/cache-warmer.server.js';
import { type Product, ProductDatabase } from '../apps/example/src/warmer/product-database.js';
import { WarmerModule } from '../apps/example/src/warmer/warmer.module.js';
import { WarmerOptions } from '../apps/example/src/warmer/warmer.options.js';

const MINUTE = 60_000;
const CATALOGUE: Product[] = [{ id: 'mug', name: 'Elixir mug', price: 12 }];

describe('Scenario: a cache warmer that cools down when idle', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  const db = { fetchAllProducts: jest.fn<ProductDatabase['fetchAllProducts']>() };
  /** What a dashboard sees: GET /warmer, which does not re-arm the idle timer. */
  const warmer = async () => (await http.get('/warmer').expect(200)).body;

  /** The warmer module over HTTP, its idle timeout pinned (the article's 10 minutes) or the app's. */
  const start = async (idleAfter: Duration | undefined) => {
    let builder = scenarioModule(WarmerModule).overrideProvider(ProductDatabase).useValue(db);
    if (idleAfter !== undefined) builder = builder.overrideProvider(WarmerOptions).useValue({ idleAfter });
    harness = await GenServerTesting.start(builder, { http: true, now: '2026-03-05T10:00:00Z' });
    http = request(harness.app.getHttpServer());
  };

  beforeEach(async () => {
    db.fetchAllProducts.mockReset().mockResolvedValue(CATALOGUE);
    await start('10m');
  });
  afterEach(() => harness.close());

  it('warms once on start and serves requests from memory', async () => {
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1); // @Init warmed it before any request
    for (let i = 0; i < 3; i++) await http.get('/products').expect(200, CATALOGUE);
    await http.get('/products/mug').expect(200, CATALOGUE[0]);
    await http.get('/products/teapot').expect(404);
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1);
    expect(await warmer()).toEqual({
      warm: true,
      products: 1,
      loads: 1,
      lastWarmedAt: '2026-03-05T10:00:00.000Z',
      lastCooledAt: null,
      idleAfter: '10m',
    });
  });

  it('drops the products after exactly 10 quiet minutes, and warms again on the next request', async () => {
    await harness.advanceBy(10 * MINUTE - 1);
    await http.get('/products').expect(200); // still warm: no fetch — and this call re-arms the timer
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1);

    await harness.advanceBy('10m'); // ten quiet minutes since that request
    expect((await harness.getState(CacheWarmer)).products).toBeUndefined();
    expect(await warmer()).toMatchObject({ warm: false, lastCooledAt: '2026-03-05T10:19:59.999Z' });
    await http.get('/products').expect(200, CATALOGUE);
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(2);
    expect(await warmer()).toMatchObject({ warm: true, loads: 2, lastWarmedAt: '2026-03-05T10:19:59.999Z' });
    expect(harness.events.types(CacheWarmer)).toEqual(['started']); // cooling down is not a restart
  });

  it('GET /warmer only looks: polling it a millisecond before the timeout does not keep it warm', async () => {
    await harness.advanceBy(10 * MINUTE - 1);
    expect(await warmer()).toMatchObject({ warm: true });
    await harness.advanceBy(1);
    expect(await warmer()).toMatchObject({ warm: false, lastCooledAt: '2026-03-05T10:10:00.000Z' });
  });

  it('the article’s gotcha: asked every 9 minutes, it never cools down', async () => {
    for (let i = 0; i < 6; i++) {
      await harness.advanceBy('9m');
      await http.get('/products/mug').expect(200);
    }
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1); // 54 minutes, one fetch
    expect(await warmer()).toMatchObject({ warm: true, loads: 1, lastCooledAt: null });
  });

  it('the app itself cools down after 30 quiet seconds (WarmerOptions), for the demo', async () => {
    await harness.close();
    await start(undefined);
    await harness.advanceBy('30s');
    expect(await warmer()).toMatchObject({ warm: false, idleAfter: '30s' });
  });
});
