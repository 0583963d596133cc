import { Injectable } from '@nestjs/common';
import { AccountsOptions } from './accounts.options.js';
import type { User } from './users.store.js';

/**
 * A deliberately flaky stand-in for the CRM's HTTP client: for each user it fails the first
 * `crmFailures` calls, and every call for an e-mail containing `crm-down`. Deterministic, no delay.
 */
@Injectable()
export class Crm {
  private readonly calls = new Map<number, number>();

  constructor(private readonly options: AccountsOptions) {}

  /** Creates the user in the CRM and resolves with its CRM id. */
  async createUser(user: User, signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    const call = (this.calls.get(user.id) ?? 0) + 1;
    this.calls.set(user.id, call);
    if (user.email.includes('crm-down') || call <= this.options.crmFailures) {
      throw new Error('CRM unavailable');
    }
    return `crm-${user.id}`;
  }
}
