import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { GenServerRuntime } from 'nestjs-genserver';
import { AccountSetup, type SetupStep, type StepProgress } from './account-setup.service.js';
import { Users } from './users.store.js';

/** What `GET /accounts/:id` shows: the user, what its setup added, and where each step is. */
export interface Account {
  readonly id: number;
  readonly email: string;
  readonly city: string;
  readonly signedUpAt: string;
  readonly crmId: string | null;
  readonly fulfillmentCenter: string | null;
  readonly setup: Record<SetupStep, StepProgress>;
}

/** Sign-up and the accounts' views: saves the user, hands the rest to {@link AccountSetup}. */
@Injectable()
export class Accounts {
  private readonly logger = new Logger(Accounts.name);

  constructor(
    private readonly users: Users,
    private readonly setup: AccountSetup,
    private readonly runtime: GenServerRuntime,
  ) {}

  /** Saves the user and starts its setup in the background; returns at once. 409 for a known e-mail. */
  signUp(email: string, city: string): { id: number } {
    if (this.users.byEmail(email) !== undefined) {
      throw new ConflictException(`${email} has already signed up`);
    }
    const signedUpAt = new Date(this.runtime.clock.now()).toISOString();
    const user = this.users.insert(email, city, signedUpAt);
    this.setup.setUp(user);
    this.logger.log(`user ${user.id} (${email}) signed up; setting up CRM and fulfillment in the background`);
    return { id: user.id };
  }

  /** The account, or 404. */
  find(id: number): Account {
    const user = this.users.get(id);
    const setup = this.setup.progress(id);
    if (user === undefined || setup === undefined) throw new NotFoundException(`no account ${id}`);
    return {
      ...user,
      crmId: user.crmId ?? null,
      fulfillmentCenter: user.fulfillmentCenter ?? null,
      setup,
    };
  }

  /** Every account, in sign-up order. */
  list(): Account[] {
    return this.users.all().map((user) => this.find(user.id));
  }
}
