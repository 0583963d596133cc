import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import type { TaskSupervisorInfo } from 'nestjs-genserver';
import { AccountSetup } from './account-setup.service.js';
import { type Account, Accounts } from './accounts.service.js';

/** Sign-up answers 202 at once; the account's setup is watched with `GET /accounts/:id`. */
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly accounts: Accounts,
    private readonly setup: AccountSetup,
  ) {}

  /** `{ email, city? }` → 202 `{ id }`; the CRM and fulfillment steps run in the background. */
  @Post()
  @HttpCode(202)
  signUp(@Body() body: { email?: unknown; city?: unknown } = {}): { id: number } {
    const { email, city = 'Prague' } = body ?? {};
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw new BadRequestException('email must be an e-mail address');
    }
    if (typeof city !== 'string' || city.trim() === '') throw new BadRequestException('city must be a name');
    return this.accounts.signUp(email, city);
  }

  @Get()
  list(): Account[] {
    return this.accounts.list();
  }

  /** The `account-setup` task supervisor's counts: started, succeeded, failed (given up), retries. */
  @Get('tasks')
  tasks(): TaskSupervisorInfo {
    return this.setup.tasks.info();
  }

  @Get(':id')
  find(@Param('id', ParseIntPipe) id: number): Account {
    return this.accounts.find(id);
  }
}
