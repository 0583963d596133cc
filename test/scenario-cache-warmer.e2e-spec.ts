/**
 * Scenario: a cache warmer with an idle timeout.
 *
 * From "GenServer Patterns You Should Know" (Timeouts and Periodic Work): `CacheWarmer` warms its cache
 * in `init` from `Database.fetch_all_products()`, returns a timeout from every callback, and handles
 * `:timeout` — with the gotcha that "the timer resets whenever the process receives any message". Here
 * the timeout is `@OnIdle('10m')`, and after ten quiet minutes the warmer drops the products to free the
 * memory; the next `get` warms it again. (The article's variant re-warms on the timeout instead: same
 * decorator, other body. A warmer per tenant that should stop when idle is a dynamic child evicted by
 * `forDynamic(CacheWarmer, { idleTimeout: 10 * 60_000 })`.)
 *
 * Proves, on the manual clock: one fetch at start, then calls are served from memory; the products are
 * dropped at exactly 10 minutes of silence, not a millisecond earlier; every call re-arms the timer, so
 * a warmer asked every 9 minutes never cools down. `getState()` only looks: unlike `:sys.get_state` in
 * OTP, it does not re-arm the timer, so a test (or a dashboard) can watch without keeping it warm.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GenServer, GenServerModule, HandleCall, Init, OnIdle } from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

export interface Product {
  readonly sku: string;
  readonly price: number;
}

/** The product catalogue. Never reached in these tests: they override it. */
@Injectable()
export class Database {
  async fetchAllProducts(): Promise<Product[]> {
    throw new Error('connect a real database here');
  }
}

@GenServer()
export class CacheWarmer {
  products: Product[] | undefined; // undefined: cold

  constructor(private readonly db: Database) {}

  @Init()
  async warm(): Promise<void> {
    this.products = await this.db.fetchAllProducts(); // warm at once on start
  }

  @HandleCall()
  async get(): Promise<Product[]> {
    this.products ??= await this.db.fetchAllProducts(); // cold after idling: warm again on first use
    return this.products;
  }

  @OnIdle('10m') // no message for 10 minutes; any call re-arms it
  coolDown(): void {
    this.products = undefined;
  }
}

@Module({ providers: [Database, CacheWarmer] })
export class CatalogModule {}

const MINUTE = 60_000;
const CATALOGUE: Product[] = [{ sku: 'mug', price: 12 }];

describe('Scenario: a cache warmer that cools down when idle', () => {
  let harness: GenServerHarness;
  const db = { fetchAllProducts: jest.fn<Database['fetchAllProducts']>() };

  beforeEach(async () => {
    db.fetchAllProducts.mockReset().mockResolvedValue(CATALOGUE);
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), CatalogModule] })
        .overrideProvider(Database)
        .useValue(db),
    );
  });
  afterEach(() => harness.close());

  it('warms once on start and serves calls from memory', async () => {
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1); // @Init warmed it before any call
    const warmer = harness.ref(CacheWarmer);
    for (let i = 0; i < 3; i++) expect(await warmer.call('get')).toEqual(CATALOGUE);
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1);
  });

  it('drops the products after exactly 10 quiet minutes, and warms again on the next call', async () => {
    const warmer = harness.ref(CacheWarmer);

    await harness.advanceBy(10 * MINUTE - 1);
    await warmer.call('get'); // still warm: no fetch — and this call re-arms the timer
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1);

    await harness.advanceBy('10m'); // ten quiet minutes since that call
    expect((await harness.getState(CacheWarmer)).products).toBeUndefined();
    expect(await warmer.call('get')).toEqual(CATALOGUE);
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(2);
    expect(harness.events.types(CacheWarmer)).toEqual(['started']); // cooling down is not a restart
  });

  it('getState() only looks: probing a millisecond before the timeout does not keep it warm', async () => {
    await harness.advanceBy(10 * MINUTE - 1);
    expect((await harness.getState(CacheWarmer)).products).toEqual(CATALOGUE);
    await harness.advanceBy(1);
    expect((await harness.getState(CacheWarmer)).products).toBeUndefined();
  });

  it('the article’s gotcha: asked every 9 minutes, it never cools down', async () => {
    const warmer = harness.ref(CacheWarmer);
    for (let i = 0; i < 6; i++) {
      await harness.advanceBy('9m');
      await warmer.call('get');
    }
    expect(db.fetchAllProducts).toHaveBeenCalledTimes(1); // 54 minutes, one fetch
  });
});
