import { Injectable } from '@nestjs/common';

/** The price API did not answer: routine, the sync records it and tries again at the next run. */
export class PriceFeedUnavailableError extends Error {
  override readonly name = 'PriceFeedUnavailableError';
}

/**
 * A stand-in for an external price API: a random walk, answered after a short delay. It is flaky on
 * purpose — its 2nd call and every 5th after it time out — so the sync's failure handling shows at once.
 */
@Injectable()
export class PriceFeed {
  private price = 100;
  private calls = 0;

  async fetch(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (++this.calls % 5 === 2) throw new PriceFeedUnavailableError('the price API timed out (simulated)');
    this.price = Math.max(1, Math.round((this.price + (Math.random() - 0.5) * 4) * 100) / 100);
    return this.price;
  }
}
