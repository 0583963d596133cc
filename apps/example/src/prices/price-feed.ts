import { Injectable } from '@nestjs/common';

/** A stand-in for an external price API: a random walk, answered after a short delay. */
@Injectable()
export class PriceFeed {
  private price = 100;

  async fetch(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.price = Math.max(1, Math.round((this.price + (Math.random() - 0.5) * 4) * 100) / 100);
    return this.price;
  }
}
