import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { AccountSetup } from './account-setup.service.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsOptions } from './accounts.options.js';
import { Accounts } from './accounts.service.js';
import { Crm } from './fake-crm.js';
import { Fulfillment } from './fake-fulfillment.js';
import { Users } from './users.store.js';

/**
 * Account setup as supervised transient tasks: `POST /accounts`, `GET /accounts`, `GET /accounts/:id`,
 * `GET /accounts/tasks`. The `account-setup` task supervisor waits up to 10 s for running setups at
 * shutdown.
 */
@Module({
  imports: [GenServerModule.forTaskSupervisor('account-setup', { shutdownTimeout: 10_000 })],
  controllers: [AccountsController],
  providers: [AccountsOptions, Users, Crm, Fulfillment, AccountSetup, Accounts],
})
export class AccountsModule {}
