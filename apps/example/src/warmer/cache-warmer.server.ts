import { Logger } from '@nestjs/common';
import {
  GenServer,
  GenServerRuntime,
  HandleCall,
  Init,
  InjectSelf,
  OnIdle,
  type SelfRef,
} from 'nestjs-genserver';
import { type Product, ProductDatabase } from './product-database.js';
import { WarmerOptions } from './warmer.options.js';

/**
 * The cache warmer of "GenServer Patterns You Should Know": it warms from the product database in
 * `@Init`, serves every call from memory, and after a quiet spell (`@OnIdle`) drops the products to free
 * the memory; the next call warms it again. Any call re-arms the idle timer — the article's gotcha —
 * while `getState()` only looks, so a dashboard can watch without keeping it warm.
 */
@GenServer()
export class CacheWarmer {
  private readonly logger = new Logger(CacheWarmer.name);
  products: Product[] | undefined; // undefined: cold
  loads = 0;
  lastWarmedAt: string | null = null;
  lastCooledAt: string | null = null;
  @InjectSelf() private readonly self!: SelfRef<CacheWarmer>;

  constructor(
    private readonly db: ProductDatabase,
    private readonly options: WarmerOptions,
    private readonly runtime: GenServerRuntime, // its clock is the manual one in tests
  ) {}

  @Init()
  async init(): Promise<void> {
    this.self.setIdleTimeout(this.options.idleAfter); // the demo's 30 s, or what a test pins
    await this.warm(); // warm at once on start
  }

  @HandleCall()
  async all(): Promise<Product[]> {
    return this.products ?? (await this.warm()); // cold after idling: warm again on first use
  }

  @HandleCall()
  async product(id: string): Promise<Product | undefined> {
    return (this.products ?? (await this.warm())).find((product) => product.id === id);
  }

  @OnIdle('10m') // the article's value; WarmerOptions.idleAfter replaces it in @Init
  coolDown(): void {
    if (this.products === undefined) return;
    this.logger.log(`No request for ${this.options.idleAfter}: dropped ${this.products.length} products`);
    this.products = undefined;
    this.lastCooledAt = new Date(this.runtime.clock.now()).toISOString();
  }

  private async warm(): Promise<Product[]> {
    const startedAt = this.runtime.clock.now();
    const products = await this.db.fetchAllProducts();
    this.products = products;
    this.loads++;
    this.lastWarmedAt = new Date(startedAt).toISOString();
    const tookMs = this.runtime.clock.now() - startedAt;
    this.logger.log(`Warmed ${products.length} products in ${tookMs} ms (load #${this.loads})`);
    return products;
  }
}
