/**
 * Scenario: the hourly job with no drift.
 *
 * From "Elixir GenServers for Web Developers" (the recurring job, "every hour to the second", and the
 * drift a `Process.send_after` at the end of the work adds) and "Doing Background Work Using a Native
 * Elixir Approach" (`CryptoApp.AccountSync`: fetch the account balance on a timer and keep `last_run_at`
 * in the state). The hand-written "milliseconds to the next full hour" is `@Periodic('1h', { align: true })`.
 *
 * Proves, on the manual clock: started at 10:17:42, a day is exactly 24 runs, each on the hour; a run
 * that takes 45 minutes does not push the next one; a failing run is counted, and the next hour runs on
 * the restarted server.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GenServer, GenServerModule, GenServerRuntime, HandleCall, Periodic } from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

/** The crypto node's API. Never reached in these tests: they override it. */
@Injectable()
export class CryptoNode {
  async fetchAccountBalance(): Promise<number> {
    const response = await fetch('https://node.example.com/balance');
    return ((await response.json()) as { balance: number }).balance;
  }
}

@GenServer()
export class AccountSync {
  balance: number | undefined;
  lastRunAt: string | undefined; // the article's `last_run_at`: inspect it with getState()

  constructor(
    private readonly node: CryptoNode,
    private readonly runtime: GenServerRuntime, // its clock is the manual one in tests
  ) {}

  @Periodic('1h', { align: true }) // on the hour (UTC), however long a run takes
  async sync(): Promise<void> {
    const startedAt = this.runtime.clock.now();
    this.balance = await this.node.fetchAccountBalance();
    this.lastRunAt = new Date(startedAt).toISOString();
  }

  @HandleCall()
  currentBalance(): number | undefined {
    return this.balance;
  }
}

@Module({ providers: [CryptoNode, AccountSync] })
export class AccountsModule {}

const MINUTE = 60_000;

describe('Scenario: the hourly account sync, on the hour, with no drift', () => {
  let harness: GenServerHarness;
  let node: { fetchAccountBalance: jest.Mock<() => Promise<number>> };
  const syncJob = () => harness.job('AccountSync.sync');

  beforeEach(async () => {
    node = { fetchAccountBalance: jest.fn(async () => 1250) };
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), AccountsModule] })
        .overrideProvider(CryptoNode)
        .useValue(node),
      { now: '2026-03-05T10:17:42Z' }, // off the hour, to prove the alignment
    );
  });
  afterEach(() => harness.close());

  it('runs exactly 24 times a day, each exactly on the hour', async () => {
    const askedAt: string[] = [];
    node.fetchAccountBalance.mockImplementation(async () => {
      askedAt.push(new Date(harness.now()).toISOString());
      return 1250;
    });

    await harness.advanceBy('24h');

    const everyHour = Array.from({ length: 24 }, (_, i) =>
      new Date(Date.UTC(2026, 2, 5, 11 + i)).toISOString(),
    );
    expect(askedAt).toEqual(everyHour); // 2026-03-05T11:00:00.000Z … 2026-03-06T10:00:00.000Z
    expect(await harness.getState(AccountSync)).toMatchObject({
      balance: 1250,
      lastRunAt: '2026-03-06T10:00:00.000Z',
    });
    expect(syncJob()).toMatchObject({ runs: 24, skipped: 0, failures: 0 });
  });

  it('a run that takes 45 minutes does not push the next one', async () => {
    let answer!: (balance: number) => void;
    node.fetchAccountBalance.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));

    await harness.advanceTo('2026-03-05T11:45:00Z'); // the 11:00 run still waits for the node
    expect(syncJob()).toMatchObject({ runs: 1, running: true });
    answer(1300);
    await harness.idle();
    expect(syncJob()).toMatchObject({
      lastDurationMs: 45 * MINUTE,
      nextRunAt: Date.parse('2026-03-05T12:00:00Z'), // not 12:45, as a send_after at the end would do
    });

    await harness.advanceTo('2026-03-05T12:00:00Z');
    expect(await harness.getState(AccountSync)).toMatchObject({ lastRunAt: '2026-03-05T12:00:00.000Z' });
    expect(node.fetchAccountBalance).toHaveBeenCalledTimes(2);
  });

  it('a failing run is counted, and the next hour runs on the restarted server', async () => {
    node.fetchAccountBalance.mockRejectedValueOnce(new Error('node unreachable'));

    await harness.advanceTo('2026-03-05T11:30:00Z');
    expect(harness.events.types(AccountSync)).toEqual(['started', 'crashed', 'restarted']);
    expect(await harness.getState(AccountSync)).toMatchObject({ balance: undefined, lastRunAt: undefined });

    await harness.advanceTo('2026-03-05T12:00:00Z');
    expect(syncJob()).toMatchObject({ runs: 2, failures: 1, lastRunAt: Date.parse('2026-03-05T12:00:00Z') });
    expect(await harness.ref(AccountSync).call('currentBalance')).toBe(1250);
  });
});
