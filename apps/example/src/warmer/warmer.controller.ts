import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { type Duration, InjectServer, type ServerRef } from 'nestjs-genserver';
import { CacheWarmer } from './cache-warmer.server.js';
import type { Product } from './product-database.js';
import { WarmerOptions } from './warmer.options.js';

/** What `GET /warmer` shows. */
export interface WarmerStatus {
  readonly warm: boolean;
  readonly products: number;
  readonly loads: number;
  readonly lastWarmedAt: string | null;
  readonly lastCooledAt: string | null;
  readonly idleAfter: Duration;
}

/** The catalogue, served from the warmer's memory, and the warmer's own status. */
@Controller()
export class WarmerController {
  constructor(
    @InjectServer(CacheWarmer) private readonly warmer: ServerRef<CacheWarmer>,
    private readonly options: WarmerOptions,
  ) {}

  @Get('products')
  all(): Promise<Product[]> {
    return this.warmer.call('all');
  }

  @Get('products/:id')
  async one(@Param('id') id: string): Promise<Product> {
    const product = await this.warmer.call('product', id);
    if (product === undefined) throw new NotFoundException(`no product '${id}'`);
    return product;
  }

  /** Reads the state with `getState()`, which is not a message: watching does not keep the warmer warm. */
  @Get('warmer')
  async status(): Promise<WarmerStatus> {
    const { products, loads, lastWarmedAt, lastCooledAt } = await this.warmer.getState();
    return {
      warm: products !== undefined,
      products: products?.length ?? 0,
      loads,
      lastWarmedAt,
      lastCooledAt,
      idleAfter: this.options.idleAfter,
    };
  }
}
