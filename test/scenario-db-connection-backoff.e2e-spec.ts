/**
 * Scenario: the forum thread's "GenServer as a supervisor for a database connection. We want to have
 * exponential back-off and ability to run without a database altogether", with the start-up of
 * GenServer Patterns' `DatabasePool` (`init` returns at once, `handle_continue(:connect)` connects).
 *
 * `DbConnection` owns the connection. `@Init` only queues a `'connect'` message to itself, so the app
 * boots whether or not the database is up. While it is down, each failed attempt schedules the next with
 * `self.sendAfter`: 1 s, 2 s, 4 s, 8 s … capped at 30 s. Between attempts the server keeps answering
 * (`status()` says `connected: false`, `query()` says the database is unavailable) instead of crashing
 * and burning through its supervisor's restart intensity. Once the database is up it connects and stops
 * retrying. (An attempt holds the mailbox while it runs: give the driver a short connect timeout.) The
 * spec checks the attempt times on the manual clock, and shows the alternative at the end.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Logger, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  HandleCall,
  HandleInfo,
  Init,
  InjectSelf,
  SelfRef,
  ServerNotRunningError,
  Supervised,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

export interface Connection {
  query(sql: string): Promise<unknown[]>;
}

/** The database driver: `connect()` rejects while the database is down. */
@Injectable()
export class Database {
  connect(): Promise<Connection> {
    throw new Error('the real driver');
  }
}

export type QueryResult = { ok: true; rows: unknown[] } | { ok: false; error: 'database unavailable' };

@GenServer()
export class DbConnection {
  @InjectSelf() private readonly self!: SelfRef<DbConnection>;
  private connection: Connection | undefined;
  failures = 0;

  constructor(private readonly database: Database) {}

  @Init() init(): void {
    this.self.send('connect'); // handled right after start: boot does not wait for the database
  }

  @HandleInfo() async onInfo(message: unknown): Promise<void> {
    if (message !== 'connect') return;
    try {
      this.connection = await this.database.connect();
      this.failures = 0;
    } catch {
      const delay = Math.min(1000 * 2 ** this.failures, 30_000); // 1 s, 2 s, 4 s … 30 s
      this.failures++;
      this.self.sendAfter('connect', delay);
    }
  }

  @HandleCall() status(): { connected: boolean; failures: number } {
    return { connected: this.connection !== undefined, failures: this.failures };
  }

  @HandleCall() async query(sql: string): Promise<QueryResult> {
    if (this.connection === undefined) return { ok: false, error: 'database unavailable' };
    return { ok: true, rows: await this.connection.query(sql) };
  }
}

/** The alternative (docs/supervision.md): connect in `@Init` and let it crash; a supervisor backs off. */
@GenServer({ whileRestarting: 'reject' }) // while it is down, callers hear so at once instead of waiting
export class CrashingDbConnection {
  private connection!: Connection;
  constructor(private readonly database: Database) {}

  @Init() async connect(): Promise<void> {
    this.connection = await this.database.connect(); // fails the start: at boot, the app's
  }

  @HandleCall() query(sql: string): Promise<unknown[]> {
    return this.connection.query(sql);
  }
}

@Supervised({
  children: [CrashingDbConnection],
  backoff: { minMs: 1000, maxMs: 30_000 },
  maxRestarts: 10,
  withinMs: 5 * 60_000,
})
export class DbSupervisor {}

const START = '2026-03-05T10:00:00Z';
let harness: GenServerHarness;
let up: boolean; // is the fake database up?
let attempts: number[]; // ms since START, one per connect() call
const database = {
  connect: jest.fn(async (): Promise<Connection> => {
    attempts.push(harness.now() - Date.parse(START));
    if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return { query: async (sql) => [{ sql }] };
  }),
};

async function boot(providers: Type<object>[]): Promise<void> {
  attempts = [];
  const builder = Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers })
    .overrideProvider(Database)
    .useValue(database);
  const app = await GenServerTesting.configure(builder, { now: START }).compile();
  harness = GenServerTesting.harness(app); // before init(): the first attempt runs during bootstrap
  await app.init();
  await harness.idle();
}

afterEach(async () => {
  await harness.close();
  jest.restoreAllMocks();
});

describe('scenario: a GenServer owns the database connection and reconnects with backoff', () => {
  beforeEach(async () => {
    up = false;
    await boot([DbConnection, Database]);
  });

  it('boots without the database and retries 1 s, 2 s, 4 s, 8 s … apart, capped at 30 s', async () => {
    const db = harness.ref(DbConnection);
    expect(attempts).toEqual([0]); // the app is up; the first attempt failed
    expect(await db.call('status')).toEqual({ connected: false, failures: 1 });

    await harness.advanceBy('2m');
    expect(attempts).toEqual([0, 1000, 3000, 7000, 15_000, 31_000, 61_000, 91_000]);
    // Still serving meanwhile, with an answer rather than a crash.
    expect(await db.call('query', 'select 1')).toEqual({ ok: false, error: 'database unavailable' });
    expect(harness.events.types(DbConnection)).toEqual(['started']);
  });

  it('connects once the database is up, then stops retrying', async () => {
    const db = harness.ref(DbConnection);
    await harness.advanceBy(5000); // attempts at 0, 1 s and 3 s failed; the next is due at 7 s
    expect(attempts).toEqual([0, 1000, 3000]);
    up = true;

    await harness.advanceBy(1999);
    expect(await db.call('status')).toEqual({ connected: false, failures: 3 });
    await harness.advanceBy(1);
    expect(await db.call('status')).toEqual({ connected: true, failures: 0 });
    expect(await db.call('query', 'select 1')).toEqual({ ok: true, rows: [{ sql: 'select 1' }] });

    await harness.advanceBy('1h');
    expect(attempts).toEqual([0, 1000, 3000, 7000]);
    expect(harness.clock.pendingTimers).toBe(0);
  });
});

describe('the alternative: a supervisor restarts a crashing connection with backoff', () => {
  it('needs the database at boot; when it goes down, restarts 1 s, 2 s, 4 s … apart, refusing callers meanwhile', async () => {
    const crashLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    up = false;
    await expect(boot([DbSupervisor, CrashingDbConnection, Database])).rejects.toThrow(
      'root > DbSupervisor > CrashingDbConnection failed to start: @Init connect() threw Error: connect ECONNREFUSED',
    );
    await harness.close();
    up = true;
    await boot([DbSupervisor, CrashingDbConnection, Database]);
    up = false;
    await harness.crash(CrashingDbConnection, new Error('connection lost')); // at 0

    await harness.advanceBy(20_000);
    expect(attempts).toEqual([0, 1000, 3000, 7000, 15_000]); // the boot's, then each restart's @Init
    await expect(harness.ref(CrashingDbConnection).call('query', 'select 1')).rejects.toBeInstanceOf(
      ServerNotRunningError,
    );
    expect(crashLog).toHaveBeenCalledTimes(5); // and each failed restart counts against maxRestarts

    up = true;
    await harness.advanceBy(20_000); // the restart due at 31 s connects
    expect(attempts.at(-1)).toBe(31_000);
    expect(await harness.ref(CrashingDbConnection).call('query', 'select 1')).toEqual([{ sql: 'select 1' }]);
  });
});
