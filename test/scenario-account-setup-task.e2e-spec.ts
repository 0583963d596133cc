/**
 * Scenario: "Deferring Work" (Doing Background Work Using a Native Elixir Approach): once a user is
 * saved, its account setup — creating the user in the CRM, finding the nearest fulfillment center — runs
 * as two independent `restart: :transient` tasks under `YourApp.AccountSetupSupervisor`, so the request
 * returns at once and a failing call is retried.
 *
 * In the example app (apps/example/src/accounts) that is `GenServerModule.forTaskSupervisor('account-setup')`:
 * `POST /accounts` saves the user and answers 202 with its id at once, and `AccountSetup` starts two
 * transient tasks with a backoff. The CRM and the fulfillment service are deliberately flaky fakes: they
 * fail the first calls per user (`AccountsOptions`: 2 and 1 in the app; this spec makes the fulfillment
 * service reliable), and for good for an e-mail containing `crm-down`.
 *
 * Proves through HTTP, on the manual clock: a flaky CRM (down twice) is retried exactly 1 s then 2 s
 * later and the user gets its CRM id; a CRM that stays down makes the task give up after `maxRestarts`,
 * logged once and counted as failed, while the other task, the supervisor and the app carry on.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import { AccountsModule } from '../apps/example/src/accounts/accounts.module.js';
import { AccountsOptions } from '../apps/example/src/accounts/accounts.options.js';
import { scenarioModule } from './scenario-module.js';

const START = Date.parse('2026-03-05T10:00:00Z');

describe('scenario: account setup as supervised transient tasks', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  let errorLog: jest.Spied<Logger['error']>;
  let infoLog: jest.Spied<Logger['log']>;

  /** The accounts module over HTTP on the manual clock, with the fakes' failures pinned (or the app's). */
  async function start(options?: AccountsOptions): Promise<void> {
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    infoLog = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let builder = scenarioModule(AccountsModule);
    if (options !== undefined) builder = builder.overrideProvider(AccountsOptions).useValue(options);
    harness = await GenServerTesting.start(builder, { http: true, now: START });
    http = request(harness.app.getHttpServer());
  }
  afterEach(async () => {
    await harness.close();
    jest.restoreAllMocks();
  });

  /** Signs up as a visitor does: 202 with the new user's id, before any setup step has run. */
  async function signUp(email: string, city: string): Promise<number> {
    const { body } = await http.post('/accounts').send({ email, city }).expect(202);
    return body.id;
  }
  const account = async (id: number) => (await http.get(`/accounts/${id}`).expect(200)).body;
  /** How many CRM calls the user's setup has made by `ms` after 10:00. */
  async function crmAttemptsAt(id: number, ms: number): Promise<number> {
    await harness.advanceTo(START + ms);
    return (await account(id)).setup.crm.attempts;
  }
  const errors = () => errorLog.mock.calls.map(([line]) => line);

  describe('with a CRM that fails twice per user', () => {
    beforeEach(() => start({ crmFailures: 2, fulfillmentFailures: 0 }));

    it('retries a flaky CRM 1 s, then 2 s after each failure, until the user has its CRM id', async () => {
      const id = await signUp('ann@example.com', 'Brno');
      expect(id).toBe(1);

      // Each attempt lands on the backoff to the millisecond: at 0, 1 s and 3 s; none after that.
      const attempts = [];
      for (const ms of [0, 999, 1000, 2999, 3000, 3_600_000]) attempts.push(await crmAttemptsAt(id, ms));
      expect(attempts).toEqual([1, 1, 2, 2, 3, 3]);
      expect(errors()).toEqual([
        'account-setup: task crm:1 failed (attempt 1): Error: CRM unavailable; restarting in 1000 ms (restart 1 of 3 within 60000 ms)',
        'account-setup: task crm:1 failed (attempt 2): Error: CRM unavailable; restarting in 2000 ms (restart 2 of 3 within 60000 ms)',
      ]);

      expect(await account(id)).toEqual({
        id: 1,
        email: 'ann@example.com',
        city: 'Brno',
        signedUpAt: '2026-03-05T10:00:00.000Z',
        crmId: 'crm-1',
        fulfillmentCenter: 'center-brno',
        setup: {
          crm: { status: 'succeeded', attempts: 3, lastError: 'CRM unavailable' },
          fulfillment: { status: 'succeeded', attempts: 1, lastError: null },
        },
      });
      await http
        .get('/accounts/tasks')
        .expect(200)
        .expect(({ body }) => {
          expect(body).toMatchObject({ started: 2, succeeded: 2, retries: 2, failed: 0, tasks: [] });
        });
      expect(infoLog).toHaveBeenCalledWith('crm:1: created in the CRM as crm-1 (attempt 3)');
    });

    it('shows a step waiting for its retry while the request has long returned', async () => {
      const id = await signUp('ann@example.com', 'Brno');
      await harness.idle();
      expect((await account(id)).setup.crm).toEqual({
        status: 'retrying',
        attempts: 1,
        lastError: 'CRM unavailable',
      });
      expect((await http.get('/accounts/tasks').expect(200)).body.tasks).toEqual([
        { id: 1, name: 'crm:1', status: 'retrying', attempt: 1, startedAt: START },
      ]);
    });

    it('gives up after maxRestarts when the CRM stays down: logged once, counted, nothing else stops', async () => {
      const id = await signUp('bob+crm-down@example.com', 'Prague');
      const attempts = [];
      for (const ms of [0, 1000, 3000, 6999, 7000, 3_600_000]) attempts.push(await crmAttemptsAt(id, ms));
      expect(attempts).toEqual([1, 2, 3, 3, 4, 4]); // at 0, 1 s, 3 s, 7 s: 3 retries, then it gives up

      expect(errors()).toHaveLength(4);
      expect(errors().filter((line) => line.includes('giving up'))).toEqual([
        'account-setup: task crm:1 failed (attempt 4): Error: CRM unavailable; giving up after 4 failures within 60000 ms',
      ]);
      expect(await account(id)).toMatchObject({
        crmId: null,
        fulfillmentCenter: 'center-prague', // the other task did its part
        setup: {
          crm: { status: 'failed', attempts: 4, lastError: 'CRM unavailable' },
          fulfillment: { status: 'succeeded', attempts: 1 },
        },
      });
      expect((await http.get('/accounts/tasks').expect(200)).body).toMatchObject({
        status: 'running',
        succeeded: 1, // fulfillment
        failed: 1, // crm
        retries: 3,
        tasks: [],
      });

      // The supervisor neither crashed nor restarted, and still takes work: the next sign-up is set up.
      expect(harness.events.types('account-setup')).toEqual(['started']);
      const next = await signUp('cid@example.com', 'Ostrava');
      await harness.advanceBy('3s');
      expect(await account(next)).toMatchObject({ crmId: 'crm-2', fulfillmentCenter: 'center-ostrava' });
      expect(harness.runtime.healthy).toBe(true);
    });

    it('answers 400 for a bad body, 409 for an e-mail already signed up, 404 for an unknown account', async () => {
      await http.post('/accounts').send({ email: 'not an e-mail' }).expect(400);
      await http.post('/accounts').send({ email: 'ann@example.com', city: 42 }).expect(400);
      const id = await signUp('ann@example.com', 'Brno');
      await http.post('/accounts').send({ email: 'ann@example.com' }).expect(409);
      await http.get('/accounts/2').expect(404);
      await http.get('/accounts/ann').expect(400);
      const { body } = await http.get('/accounts').expect(200);
      expect(body.map((user: { id: number; city: string }) => [user.id, user.city])).toEqual([[id, 'Brno']]);
    });
  });

  it("the app's demo settings: a retry or two within seconds, then both steps succeed", async () => {
    await start(); // AccountsOptions as the app has them: the CRM fails twice, fulfillment once
    const id = await signUp('ann@example.com', 'Olomouc'); // no city given is fine too: Prague
    await harness.advanceBy('3s');
    expect(await account(id)).toMatchObject({
      crmId: 'crm-1',
      fulfillmentCenter: 'center-ostrava',
      setup: { crm: { attempts: 3 }, fulfillment: { attempts: 2 } },
    });
    expect(errors()).toHaveLength(3);
    await http.post('/accounts').send({ email: 'dan@example.com' }).expect(202, { id: 2 });
    await harness.advanceBy('3s');
    expect(await account(2)).toMatchObject({ city: 'Prague', fulfillmentCenter: 'center-prague' });
  });
});
