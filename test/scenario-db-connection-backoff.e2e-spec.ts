/**
 * Scenario: the forum thread's "GenServer as a supervisor for a database connection. We want to have
 * exponential back-off and ability to run without a database altogether", with the start-up of
 * GenServer Patterns' `DatabasePool` (`init` returns at once, `handle_continue(:connect)` connects).
 *
 * In the example app (apps/example/src/database) `DbConnection` owns the connection. `@Init` only queues
 * a `'connect'` message to itself, so the app boots whether or not the database is up. While it is down,
 * each failed attempt schedules the next with `self.sendAfter`: 1 s, 2 s, 4 s, 8 s … capped at 30 s.
 * Between attempts the server keeps answering (`GET /db` says `connected: false`, `GET /db/query` is a 503
 * "database unavailable") instead of crashing and burning through its supervisor's restart intensity.
 * Once the database is up it connects and stops retrying. If the database goes down while connected
 * (`POST /db/down`), the next query notices, gets a 503, and the owner connects again at once, then backs
 * off from 1 s as at boot. The fake database is down for 5 s after boot in the app (`DatabaseOptions`);
 * this spec keeps it down until `POST /db/up`.
 *
 * Proves through HTTP, on the manual clock: the exact attempt times, the app serving meanwhile, the
 * connection once the database is up and no attempt after it, and the reconnection after a loss. The end
 * of the spec shows the alternative, inline on purpose — let the connection crash and give its supervisor
 * a `backoff` — and what it costs: boot fails without the database, and callers are refused while it is
 * down.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { type INestApplication, Logger, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  GenServer,
  GenServerModule,
  HandleCall,
  Init,
  ServerNotRunningError,
  Supervised,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import { DatabaseModule } from '../apps/example/src/database/database.module.js';
import { DatabaseOptions } from '../apps/example/src/database/database.options.js';
import { DbConnection } from '../apps/example/src/database/db-connection.server.js';
import { type Connection, FakeDatabase } from '../apps/example/src/database/fake-database.js';
import { scenarioModule } from './scenario-module.js';

const START = Date.parse('2026-03-05T10:00:00Z');
const at = (ms: number) => new Date(START + ms).toISOString();

afterEach(() => jest.restoreAllMocks());

describe('scenario: a GenServer owns the database connection and reconnects with backoff', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  let warnings: jest.Spied<Logger['warn']>;
  const db = async () => (await http.get('/db').expect(200)).body;

  /** The database module over HTTP on the manual clock; the fake database down for `downForMs` after boot. */
  async function start(options?: DatabaseOptions): Promise<void> {
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let builder = scenarioModule(DatabaseModule);
    if (options !== undefined) builder = builder.overrideProvider(DatabaseOptions).useValue(options);
    harness = await GenServerTesting.start(builder, { http: true, now: START });
    http = request(harness.app.getHttpServer());
  }
  afterEach(() => harness.close());

  /**
   * Walks the clock from attempt to attempt up to `untilMs` after 10:00, checking that each one happens
   * exactly when `GET /db` announced it (not a millisecond earlier); returns the attempts' times.
   */
  async function attemptTimes(untilMs: number): Promise<number[]> {
    const times = [0]; // at boot
    let status = await db();
    while (status.nextAttemptAt !== null && Date.parse(status.nextAttemptAt) <= START + untilMs) {
      const next = Date.parse(status.nextAttemptAt);
      await harness.advanceTo(next - 1);
      expect((await db()).attempts).toBe(times.length);
      await harness.advanceTo(next);
      status = await db();
      expect(status.attempts).toBe(times.length + 1);
      times.push(next - START);
    }
    await harness.advanceTo(START + untilMs);
    return times;
  }

  describe('with a database that stays down until POST /db/up', () => {
    beforeEach(() => start({ downForMs: Infinity }));

    it('boots without the database and retries 1 s, 2 s, 4 s, 8 s … apart, capped at 30 s', async () => {
      expect(await db()).toEqual({
        connected: false, // the app is up; the first attempt failed
        attempts: 1,
        failures: 1,
        nextAttemptAt: at(1000),
        lastError: 'connect ECONNREFUSED 127.0.0.1:5432',
        connectedAt: null,
        database: 'down',
      });

      expect(await attemptTimes(120_000)).toEqual([0, 1000, 3000, 7000, 15_000, 31_000, 61_000, 91_000]);
      // Still serving meanwhile, with an answer rather than a crash.
      await http
        .get('/db/query')
        .query({ sql: 'select 1' })
        .expect(503, { statusCode: 503, message: 'database unavailable', error: 'Service Unavailable' });
      expect(await db()).toMatchObject({ attempts: 8, failures: 8, nextAttemptAt: at(121_000) });
      expect(harness.events.types(DbConnection)).toEqual(['started']);
      expect(warnings).toHaveBeenCalledTimes(8); // one line per failed attempt
      expect(warnings).toHaveBeenLastCalledWith(
        'connect attempt 8 failed: connect ECONNREFUSED 127.0.0.1:5432; next attempt in 30000 ms',
      );
    });

    it('connects once the database is up, then stops retrying', async () => {
      await harness.advanceBy(5000); // attempts at 0, 1 s and 3 s failed; the next is due at 7 s
      expect(await db()).toMatchObject({ attempts: 3, nextAttemptAt: at(7000) });
      await http.post('/db/up').expect(200, { database: 'up' });

      await harness.advanceBy(1999);
      expect(await db()).toMatchObject({ connected: false, failures: 3, database: 'up' });
      await harness.advanceBy(1);
      expect(await db()).toMatchObject({ connected: true, attempts: 4, failures: 0, nextAttemptAt: null });
      await http.get('/db/query?sql=select%201').expect(200, { rows: [{ sql: 'select 1' }] });
      await http
        .post('/db/query')
        .send({ sql: 'select 2' })
        .expect(200, { rows: [{ sql: 'select 2' }] });

      await harness.advanceBy('1h');
      expect(harness.clock.pendingTimers).toBe(0); // no attempt scheduled any more
      expect(await db()).toMatchObject({ connected: true, attempts: 4, connectedAt: at(7000) });
    });

    it('answers 400 for a query without SQL', async () => {
      await http.get('/db/query').expect(400);
      await http.post('/db/query').send({}).expect(400);
    });
  });

  it("the app's demo: the database is down for its first 5 s, and the owner connects at 7 s", async () => {
    await start(); // DatabaseOptions as the app has them
    expect(await attemptTimes(10_000)).toEqual([0, 1000, 3000, 7000]);
    expect(await db()).toMatchObject({ connected: true, connectedAt: at(7000), database: 'up' });
  });

  it('a database that goes down while connected: the next query gets a 503 and the owner backs off again', async () => {
    await start({ downForMs: 0 });
    expect(await db()).toMatchObject({ connected: true, attempts: 1 });
    await http.post('/db/down').expect(200, { database: 'down' });
    await harness.advanceBy('10s');
    expect(await db()).toMatchObject({ connected: true, database: 'down' }); // nobody has noticed yet

    await http.get('/db/query?sql=select%201').expect(503); // noticed: reconnects at once, at 10 s
    expect(await db()).toMatchObject({
      connected: false,
      attempts: 2,
      failures: 1,
      nextAttemptAt: at(11_000),
      lastError: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
    await harness.advanceBy(3000); // 11 s and 13 s failed; the next is due at 17 s
    await http.post('/db/up').expect(200);
    await harness.advanceTo(at(17_000));
    expect(await db()).toMatchObject({ connected: true, attempts: 5, connectedAt: at(17_000) });
    await http.get('/db/query?sql=select%201').expect(200);
    expect(harness.events.types(DbConnection)).toEqual(['started']);
  });
});

/** The alternative (docs/supervision.md): connect in `@Init` and let it crash; a supervisor backs off. */
@GenServer({ whileRestarting: 'reject' }) // while it is down, callers hear so at once instead of waiting
export class CrashingDbConnection {
  private connection!: Connection;
  constructor(private readonly database: FakeDatabase) {}

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

describe('the alternative: a supervisor restarts a crashing connection with backoff', () => {
  let harness: GenServerHarness;
  let attempts: number[]; // ms since START, one per connect() call

  async function boot(downForMs: number): Promise<FakeDatabase> {
    const providers: Type<object>[] = [DbSupervisor, CrashingDbConnection, FakeDatabase];
    const builder = Test.createTestingModule({
      imports: [GenServerModule.forRoot()],
      providers: [...providers, { provide: DatabaseOptions, useValue: { downForMs } }],
    });
    const app = await GenServerTesting.configure(builder, { now: START }).compile();
    harness = GenServerTesting.harness(app); // before init(): the first attempt runs during bootstrap
    await app.init();
    await harness.idle();
    return app.get(FakeDatabase);
  }
  beforeEach(() => {
    attempts = [];
    const connect = FakeDatabase.prototype.connect;
    jest.spyOn(FakeDatabase.prototype, 'connect').mockImplementation(function (this: FakeDatabase) {
      attempts.push(harness.now() - START);
      return connect.call(this);
    });
  });
  afterEach(() => harness.close());

  it('needs the database at boot; when it goes down, restarts 1 s, 2 s, 4 s … apart, refusing callers meanwhile', async () => {
    const crashLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await expect(boot(Infinity)).rejects.toThrow(
      'root > DbSupervisor > CrashingDbConnection failed to start: @Init connect() threw Error: connect ECONNREFUSED',
    );
    await harness.close();
    attempts = [];
    const database = await boot(0);
    database.goDown();
    await harness.crash(CrashingDbConnection, new Error('connection lost')); // at 0

    await harness.advanceBy(20_000);
    expect(attempts).toEqual([0, 1000, 3000, 7000, 15_000]); // the boot's, then each restart's @Init
    await expect(harness.ref(CrashingDbConnection).call('query', 'select 1')).rejects.toBeInstanceOf(
      ServerNotRunningError,
    );
    expect(crashLog).toHaveBeenCalledTimes(5); // and each failed restart counts against maxRestarts

    database.comeUp();
    await harness.advanceBy(20_000); // the restart due at 31 s connects
    expect(attempts.at(-1)).toBe(31_000);
    expect(await harness.ref(CrashingDbConnection).call('query', 'select 1')).toEqual([{ sql: 'select 1' }]);
  });
});
