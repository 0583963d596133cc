import { Injectable } from '@nestjs/common';

/**
 * The demo settings of the account setup: how many calls per user the fake CRM and fake fulfillment
 * service fail before they answer, so a visitor sees a retry or two logged within seconds, then success.
 * An e-mail containing `crm-down` (or `fulfillment-down`) makes that service fail for good for the user,
 * to watch its task give up. Tests pin them with `overrideProvider(AccountsOptions).useValue({ ... })`.
 */
@Injectable()
export class AccountsOptions {
  /** Calls per user the CRM fails before it creates the user. */
  readonly crmFailures: number = 2;
  /** Calls per user the fulfillment service fails before it answers. */
  readonly fulfillmentFailures: number = 1;
}
