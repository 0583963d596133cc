import { Injectable } from '@nestjs/common';
import { AccountsOptions } from './accounts.options.js';
import type { User } from './users.store.js';

const NEAREST: Record<string, string> = {
  brno: 'center-brno',
  ostrava: 'center-ostrava',
  olomouc: 'center-ostrava',
  plzen: 'center-prague',
  prague: 'center-prague',
};

/**
 * A deliberately flaky stand-in for the fulfillment service's client: for each user it fails the first
 * `fulfillmentFailures` calls, and every call for an e-mail containing `fulfillment-down`.
 */
@Injectable()
export class Fulfillment {
  private readonly calls = new Map<number, number>();

  constructor(private readonly options: AccountsOptions) {}

  /** The fulfillment center nearest to the user's city (Prague's for a city it does not know). */
  async nearestCenter(user: User, signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    const call = (this.calls.get(user.id) ?? 0) + 1;
    this.calls.set(user.id, call);
    if (user.email.includes('fulfillment-down') || call <= this.options.fulfillmentFailures) {
      throw new Error('fulfillment service unavailable');
    }
    return NEAREST[user.city.toLowerCase()] ?? 'center-prague';
  }
}
