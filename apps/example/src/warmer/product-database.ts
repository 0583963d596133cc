import { Injectable } from '@nestjs/common';

/** A product of the catalogue. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly price: number;
}

const CATALOGUE: readonly Product[] = [
  { id: 'mug', name: 'Elixir mug', price: 12 },
  { id: 'tee', name: 'Supervisor tee', price: 25 },
  { id: 'sticker', name: 'Let it crash sticker', price: 2 },
];

/**
 * A stand-in for the product database: the whole catalogue, after a slow query (300 ms). Tests replace
 * it with `overrideProvider(ProductDatabase)`.
 */
@Injectable()
export class ProductDatabase {
  async fetchAllProducts(): Promise<Product[]> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return [...CATALOGUE];
  }
}
