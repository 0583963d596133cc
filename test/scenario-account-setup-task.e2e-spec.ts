/**
 * Scenario: "Deferring Work" (Doing Background Work Using a Native Elixir Approach): once a user is
 * saved, its account setup — creating the user in the CRM, finding the nearest fulfillment center — runs
 * as two independent `restart: :transient` tasks under `YourApp.AccountSetupSupervisor`, so the request
 * returns at once and a failing call is retried.
 *
 * Here that is `GenServerModule.forTaskSupervisor('account-setup')` with transient tasks and a backoff.
 * The spec proves, on the manual clock: a flaky CRM (down twice) is retried 1 s then 2 s later and the
 * user gets its CRM id; a CRM that stays down makes the task give up after `maxRestarts`, logged once and
 * counted as failed, while the other task, the supervisor and the app carry on.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GenServerModule, InjectTaskSupervisor, type TaskSupervisorRef } from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

interface User {
  id: number;
  name: string;
  address: string;
  crmId?: string;
  fulfillmentCenterId?: string;
}

/** The main database, in memory. */
@Injectable()
export class Users {
  readonly rows = new Map<number, User>();
  insert(name: string, address: string): User {
    const user = { id: this.rows.size + 1, name, address };
    this.rows.set(user.id, user);
    return user;
  }
  update(id: number, patch: Partial<User>): void {
    Object.assign(this.rows.get(id) ?? {}, patch);
  }
}

/** The external services: HTTP clients in the app, Jest mocks in this spec. */
@Injectable()
export class Crm {
  createUser(_user: User, _signal: AbortSignal): Promise<string> {
    throw new Error('the real CRM client');
  }
}
@Injectable()
export class Fulfillment {
  nearestCenter(_address: string, _signal: AbortSignal): Promise<string> {
    throw new Error('the real fulfillment client');
  }
}

/** Retried when it fails: up to 3 times a minute, 1 s, 2 s, 4 s apart; then the task gives up. */
const RETRIED = {
  restart: 'transient',
  maxRestarts: 3,
  withinMs: 60_000,
  backoff: { minMs: 1000, maxMs: 30_000 },
} as const;

@Injectable()
export class AccountSetup {
  constructor(
    @InjectTaskSupervisor('account-setup') readonly tasks: TaskSupervisorRef,
    private readonly users: Users,
    private readonly crm: Crm,
    private readonly fulfillment: Fulfillment,
  ) {}

  /** `set_up_user_account/1`: called once the user is saved; returns at once. */
  setUp(user: User): void {
    this.tasks.start((signal) => this.createInCrm(user, signal), { name: `crm:${user.id}`, ...RETRIED });
    this.tasks.start((signal) => this.assignCenter(user, signal), { name: `center:${user.id}`, ...RETRIED });
  }

  private async createInCrm(user: User, signal: AbortSignal): Promise<void> {
    this.users.update(user.id, { crmId: await this.crm.createUser(user, signal) });
  }

  private async assignCenter(user: User, signal: AbortSignal): Promise<void> {
    this.users.update(user.id, {
      fulfillmentCenterId: await this.fulfillment.nearestCenter(user.address, signal),
    });
  }
}

@Module({
  imports: [GenServerModule.forTaskSupervisor('account-setup')],
  providers: [AccountSetup, Users, Crm, Fulfillment],
})
class AccountsModule {}

describe('scenario: account setup as supervised transient tasks', () => {
  let crm: { createUser: jest.Mock<Crm['createUser']> };
  let harness: GenServerHarness;
  let errorLog: jest.Spied<Logger['error']>;

  beforeEach(async () => {
    crm = { createUser: jest.fn<Crm['createUser']>() };
    const fulfillment = { nearestCenter: jest.fn(async () => 'center-brno') };
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), AccountsModule] })
        .overrideProvider(Crm)
        .useValue(crm)
        .overrideProvider(Fulfillment)
        .useValue(fulfillment),
      { now: '2026-03-05T10:00:00Z' },
    );
  });
  afterEach(async () => {
    await harness.close();
    jest.restoreAllMocks();
  });

  /** Saves a user and starts its setup, as the sign-up controller does; returns at once. */
  function signUp(name: string, address: string): User {
    const user = harness.app.get(Users).insert(name, address);
    harness.app.get(AccountSetup).setUp(user);
    return user;
  }

  /** The CRM fails `failures` times, then answers; `attempts` gets the time of each call since 10:00. */
  function flakyCrm(failures: number): number[] {
    const attempts: number[] = [];
    crm.createUser.mockImplementation(async (user) => {
      attempts.push(harness.now() - Date.parse('2026-03-05T10:00:00Z'));
      if (attempts.length <= failures) throw new Error('CRM unavailable');
      return `crm-${user.id}`;
    });
    return attempts;
  }

  it('retries a flaky CRM 1 s, then 2 s after each failure, until the user has its CRM id', async () => {
    const attempts = flakyCrm(2);
    const user = signUp('Ann', 'Brno');
    await harness.advanceBy('1h');

    expect(attempts).toEqual([0, 1000, 3000]); // fail, fail, succeed; none after that
    expect(harness.app.get(Users).rows.get(user.id)).toMatchObject({
      crmId: 'crm-1',
      fulfillmentCenterId: 'center-brno',
    });
    const setup = harness.app.get(AccountSetup).tasks;
    expect(setup.info()).toMatchObject({ started: 2, succeeded: 2, retries: 2, failed: 0 });
    expect(errorLog.mock.calls.map(([line]) => line)).toEqual([
      'account-setup: task crm:1 failed (attempt 1): Error: CRM unavailable; restarting in 1000 ms (restart 1 of 3 within 60000 ms)',
      'account-setup: task crm:1 failed (attempt 2): Error: CRM unavailable; restarting in 2000 ms (restart 2 of 3 within 60000 ms)',
    ]);
  });

  it('gives up after maxRestarts when the CRM stays down: logged, counted, nothing else stops', async () => {
    const attempts = flakyCrm(Infinity);
    const user = signUp('Bob', 'Prague');
    await harness.advanceBy('1h');

    expect(attempts).toEqual([0, 1000, 3000, 7000]); // 3 retries, then it gives up
    expect(errorLog.mock.calls.at(-1)?.[0]).toBe(
      'account-setup: task crm:1 failed (attempt 4): Error: CRM unavailable; giving up after 4 failures within 60000 ms',
    );
    expect(harness.app.get(AccountSetup).tasks.info()).toMatchObject({
      status: 'running',
      succeeded: 1, // fulfillment
      failed: 1, // crm
      retries: 3,
      tasks: [],
    });
    const saved = harness.app.get(Users).rows.get(user.id);
    expect(saved?.crmId).toBeUndefined();
    expect(saved?.fulfillmentCenterId).toBe('center-brno');

    // The supervisor neither crashed nor restarted, and still takes work: the next sign-up is set up.
    expect(harness.events.types('account-setup')).toEqual(['started']);
    flakyCrm(0);
    const next = signUp('Cid', 'Ostrava');
    await harness.idle();
    expect(harness.app.get(Users).rows.get(next.id)).toMatchObject({ crmId: 'crm-2' });
    expect(harness.runtime.healthy).toBe(true);
  });
});
