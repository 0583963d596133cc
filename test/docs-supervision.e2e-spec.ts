import 'reflect-metadata';
import { jest } from '@jest/globals';
import {
  ConsoleLogger,
  Injectable,
  type INestApplication,
  Logger,
  Module,
  NotFoundException,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  AlreadyStartedError,
  GENSERVER_MODULE_OPTIONS,
  GenServer,
  GenServerModule,
  GenServerRegistry,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  Init,
  InjectDynamicSupervisor,
  InjectServer,
  ManualClock,
  ServerNotRunningError,
  ServerRef,
  Supervised,
  SupervisionTree,
  Terminate,
  describeExit,
  type ChildInfo,
  type DynamicSupervisorRef,
} from 'nestjs-genserver';
import { ServerProcess, Supervisor } from 'nestjs-genserver/runtime';
import { GenServerTesting } from 'nestjs-genserver/testing';
import { filter } from 'rxjs';

/**
 * The examples of docs/supervision.md, verbatim (but for the import lines and the classes they depend
 * on, which the tests supply), each run and checked against what the guide says about it.
 */

/** Expected crash and give-up logs stay out of the output; restored after each test. */
let errorLog: jest.Spied<Logger['error']>;
beforeEach(() => {
  errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
});

// ------------------------------------------------------------------ "Declaring a tree with @Supervised"

describe('Declaring a tree with @Supervised', () => {
  const log: string[] = [];

  abstract class Part {
    @Init() start(): void {
      log.push(`start ${this.constructor.name}`);
    }
    @Terminate() stop(): void {
      log.push(`stop ${this.constructor.name}`);
    }
    @HandleCall() crash(): never {
      throw new Error('lost connection');
    }
    @HandleCall() whoami(): string {
      return this.constructor.name;
    }
  }
  @GenServer()
  class DbConnection extends Part {}
  @GenServer()
  class DbMigrator extends Part {}
  @GenServer()
  class Cache extends Part {}
  @GenServer()
  class CacheWarmer extends Part {}
  @GenServer()
  class Counter extends Part {}

  // From here to AppModule: the guide's code.
  @Supervised({ strategy: 'one_for_all', children: [DbConnection, DbMigrator] })
  class DbSupervisor {}

  @Supervised({
    strategy: 'rest_for_one', // the cache depends on the DB: a DB failure restarts what comes after it
    maxRestarts: 3,
    withinMs: 5000,
    children: [DbSupervisor, Cache, { child: CacheWarmer, restart: 'transient', shutdownTimeout: 1000 }],
  })
  class AppSupervisor {}

  @Module({
    imports: [GenServerModule.forRoot()],
    providers: [DbConnection, DbMigrator, Cache, CacheWarmer, DbSupervisor, AppSupervisor, Counter],
  })
  class AppModule {}

  beforeEach(() => {
    log.length = 0;
  });

  it('order, shape and escalation', async () => {
    const app = await (
      await Test.createTestingModule({ imports: [AppModule] })
        .overrideProvider(GENSERVER_MODULE_OPTIONS)
        .useValue({ clock: new ManualClock() })
        .compile()
    ).init();
    const runtime = app.get(GenServerRuntime);
    const order = ['DbConnection', 'DbMigrator', 'Cache', 'CacheWarmer', 'Counter'];
    expect(log).toEqual(order.map((name) => `start ${name}`));
    const shape = (node: ChildInfo): unknown =>
      node.type === 'server' || node.type === 'task-supervisor'
        ? node.name
        : { [node.name]: node.children.map(shape) };
    expect(shape(runtime.snapshot().root)).toEqual({
      root: [
        { AppSupervisor: [{ DbSupervisor: ['DbConnection', 'DbMigrator'] }, 'Cache', 'CacheWarmer'] },
        'Counter',
        'tasks',
      ],
    });

    // Three crashes: DbSupervisor restarts both DB servers (one_for_all). The fourth within 5 s: it gives
    // up, and AppSupervisor (rest_for_one) restarts it and the children after it; Counter is untouched.
    const servers = [DbConnection, DbMigrator, Cache, CacheWarmer, Counter];
    const settled = async (expected: number[]): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const infos = servers.map((server) => runtime.ref(server).info());
        if (infos.every((info, j) => info.status === 'running' && info.incarnation === expected[j])) return;
        await new Promise(setImmediate);
      }
      throw new Error(`incarnations are not ${expected.join()}`);
    };
    for (let crash = 1; crash <= 3; crash++) {
      await runtime
        .ref(DbConnection)
        .call('crash')
        .catch(() => undefined);
      await settled([crash + 1, crash + 1, 1, 1, 1]);
    }
    await runtime
      .ref(DbConnection)
      .call('crash')
      .catch(() => undefined);
    await settled([5, 5, 2, 2, 1]);
    expect(runtime.healthy).toBe(true);

    log.length = 0;
    await app.close();
    expect(log).toEqual([...order].reverse().map((name) => `stop ${name}`));
  });

  it('escalation goes on: AppSupervisor gives up in turn and the root restarts it; refs survive it all', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }));
    const db = harness.ref(DbConnection); // taken once, used after every restart below
    const counter = harness.ref(Counter);
    const gaveUp = (target: typeof DbSupervisor): number =>
      harness.events.types(target).filter((type) => type === 'gave_up').length;

    // Four crashes within 5 s make DbSupervisor give up: one restart of AppSupervisor's children.
    // Four such give-ups within 5 s are one too many for AppSupervisor (3 restarts in 5 s).
    for (let giveUp = 1; giveUp <= 4; giveUp++) {
      for (let crash = 1; crash <= 4; crash++)
        await harness.crash(DbConnection, new Error('lost connection'));
      expect(gaveUp(DbSupervisor)).toBe(giveUp);
    }
    expect(gaveUp(AppSupervisor)).toBe(1);
    expect(harness.events.types(AppSupervisor)).toEqual(['started', 'gave_up', 'restarted']);
    expect(harness.runtime.snapshot().root).toMatchObject({ status: 'running', recentRestarts: 1 });
    expect(harness.runtime.healthy).toBe(true);

    await expect(db.call('whoami')).resolves.toBe('DbConnection');
    expect(db.info().incarnation).toBeGreaterThan(16);
    expect(counter.info().incarnation).toBe(1); // under the root, untouched by all of it
    await harness.close();
  });

  it('CacheWarmer is transient here: stopped normally, it is not restarted; permanent Counter is', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }));
    await harness.ref(CacheWarmer).stop();
    await harness.ref(Counter).stop();
    await harness.idle();
    expect(harness.info(CacheWarmer).status).toBe('stopped');
    expect(harness.info(Counter)).toMatchObject({ status: 'running', incarnation: 2 });
    await harness.close();
  });
});

// ------------------------------------------------------------------ "Strategies"

describe('Strategies', () => {
  abstract class Pinger {
    @HandleCall() ping(): string {
      return 'pong';
    }
  }
  @GenServer()
  class A extends Pinger {}
  @GenServer()
  class B extends Pinger {}
  @GenServer()
  class C extends Pinger {}
  @GenServer({ restart: 'temporary' })
  class D extends Pinger {}

  it('forRoot: rest_for_one, a group restart counts once, 5 restarts in 10 s, and a temporary sibling stays down', async () => {
    const root = GenServerModule.forRoot({ strategy: 'rest_for_one', maxRestarts: 5, withinMs: 10_000 });

    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [root], providers: [A, B, C, D] }),
    );
    const incarnations = (): number[] => [A, B, C].map((server) => harness.info(server).incarnation);

    await harness.crash(B); // B and what started after it: C, and D, which is temporary
    expect(incarnations()).toEqual([1, 2, 2]);
    expect(harness.info(D).status).toBe('stopped');

    // Each crash restarts B and C: one restart each, so five crashes fit in the limit…
    for (let crash = 2; crash <= 5; crash++) await harness.crash(B);
    expect(incarnations()).toEqual([1, 6, 6]);
    // …and once the window has passed, five more do too.
    await harness.advanceBy(10_000);
    for (let crash = 1; crash <= 5; crash++) await harness.crash(B);
    expect(incarnations()).toEqual([1, 11, 11]);
    expect(harness.runtime.healthy).toBe(true);

    // A sixth within 10 s: the root gives up.
    await harness.crash(B);
    expect(harness.runtime.healthy).toBe(false);
    expect(harness.runtime.snapshot().root.status).toBe('gave_up');
    await expect(harness.ref(A).call('ping')).rejects.toBeInstanceOf(ServerNotRunningError);
    await harness.close();
  });
});

// ------------------------------------------------------------------ "When the root gives up"

describe('When the root gives up', () => {
  @GenServer()
  class Counter {
    @HandleCall() explode(): never {
      throw new Error('boom');
    }
  }

  const hooks: string[] = [];

  @Injectable()
  class Hooks implements OnModuleDestroy, OnApplicationShutdown {
    onModuleDestroy(): void {
      hooks.push('onModuleDestroy');
    }
    beforeApplicationShutdown(signal?: string): void {
      hooks.push(`beforeApplicationShutdown ${signal}`);
    }
    onApplicationShutdown(signal?: string): void {
      hooks.push(`onApplicationShutdown ${signal}`);
    }
  }

  @Module({ providers: [Counter, Hooks] })
  class CounterModule {}

  /** The guide's app.module.ts and main.ts, as one function. */
  async function main(): Promise<INestApplication> {
    // app.module.ts
    @Module({ imports: [GenServerModule.forRoot({ rootGiveUp: 'shutdown' }), CounterModule] })
    class AppModule {}

    // main.ts
    const app = await NestFactory.create(AppModule);
    app.enableShutdownHooks(); // required by rootGiveUp: 'shutdown'
    await app.listen(process.env.PORT ?? 3000);
    return app;
  }

  const port = process.env.PORT;
  afterEach(() => {
    if (port === undefined) delete process.env.PORT;
    else process.env.PORT = port;
  });

  it("rootGiveUp: 'shutdown' closes the app as SIGTERM would: every teardown hook, the HTTP server, then the exit", async () => {
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(ConsoleLogger.prototype, level).mockImplementation(() => undefined);
    }
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    process.env.PORT = '0'; // any free port
    const app = await main();
    try {
      const server = app.getHttpServer() as { listening: boolean };
      expect(server.listening).toBe(true);
      const counter = app.get(GenServerRuntime).ref(Counter);
      // The root allows 3 restarts in 5 s: the fourth crash makes it give up.
      for (let crash = 1; crash <= 4; crash++) {
        await counter.call('explode').catch(() => undefined);
        await new Promise(setImmediate);
      }
      for (let turn = 0; turn < 100 && kill.mock.calls.length === 0; turn++) await new Promise(setImmediate);

      expect(hooks).toEqual([
        'onModuleDestroy',
        'beforeApplicationShutdown SIGTERM',
        'onApplicationShutdown SIGTERM',
      ]);
      expect(server.listening).toBe(false);
      expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM'); // Nest's exit, once it has closed
      expect(process.listenerCount('SIGTERM')).toBe(0);
    } finally {
      if (kill.mock.calls.length === 0) await app.close();
    }
  });
});

// ------------------------------------------------------------------ "Backoff between restarts"

describe('Backoff between restarts', () => {
  let databaseUp = true;
  const connects: number[] = [];

  @Injectable()
  class Database {
    constructor(private readonly runtime: GenServerRuntime) {}
    connect(): void {
      connects.push(this.runtime.clock.now());
      if (!databaseUp) throw new Error('connect ECONNREFUSED');
    }
  }

  @GenServer()
  class DbConnection {
    constructor(private readonly database: Database) {}
    @Init() connect(): void {
      this.database.connect();
    }
    @HandleCall() query(sql: string): string {
      return `rows of ${sql}`;
    }
  }

  @Supervised({
    children: [DbConnection],
    backoff: { minMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2, resetAfterMs: 60_000 },
    maxRestarts: 10,
    withinMs: 60_000,
  })
  class DbSupervisor {}

  beforeEach(() => {
    databaseUp = true;
    connects.length = 0;
  });

  const start = (providers: ReadonlyArray<new (...args: never[]) => object>) =>
    GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Database, ...providers] }),
      { now: 0 },
    );

  it('DbSupervisor waits 500 ms, 1 s, 2 s … 30 s, then 30 s each; a minute of running resets it to 500 ms', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0); // no jitter: the bare delays
    const harness = await start([DbConnection, DbSupervisor]);
    databaseUp = false;
    await harness.crash(DbConnection); // at 0; each restart's @Init fails until the database is back
    await harness.advanceBy('5m');
    // At that pace 10 restarts never fit in a minute: it keeps trying, and does not give up.
    expect(connects).toEqual([
      0, 500, 1500, 3500, 7500, 15_500, 31_500, 61_500, 91_500, 121_500, 151_500, 181_500, 211_500, 241_500,
      271_500,
    ]);
    expect(harness.events.types(DbSupervisor)).toEqual(['started']);
    expect(harness.info(DbConnection).status).toBe('restarting');

    // A call sent meanwhile waits in the mailbox, through the backoff and the new instance's @Init.
    const query = harness.ref(DbConnection).call('query', 'select 1');
    databaseUp = true;
    await harness.advanceBy('30s'); // the restart due at 301.5 s connects
    expect(connects.at(-1)).toBe(301_500);
    await expect(query).resolves.toBe('rows of select 1');

    await harness.advanceBy('60s'); // runs 60 s without crashing
    databaseUp = false;
    const crashedAt = harness.now();
    await harness.crash(DbConnection);
    await harness.advanceBy(1500);
    expect(connects.slice(-2)).toEqual([crashedAt + 500, crashedAt + 1500]); // 500 ms again, then 1 s
    await harness.close(); // during the next wait (2 s): the shutdown cancels it
    expect(harness.clock.pendingTimers).toBe(0);
  });

  it('jitter adds up to 20 % of each delay, at random', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const harness = await start([DbConnection, DbSupervisor]);
    databaseUp = false;
    await harness.crash(DbConnection);
    await harness.advanceBy(2000);
    expect(connects).toEqual([0, 550, 1650]); // 500 + 50, then + 1000 + 100
    await harness.close();
  });

  it('forRoot({ backoff }): everything under the root restarts 200 ms, 400 ms, 800 ms … apart, within the root limits', async () => {
    // or for everything under the root:
    const root = GenServerModule.forRoot({ backoff: { minMs: 200, maxMs: 5_000 } });

    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [root], providers: [Database, DbConnection] }),
      { now: 0 },
    );
    databaseUp = false;
    await harness.crash(DbConnection);
    await harness.advanceBy(3000); // 3 restarts in 5 s (the default) are allowed, the fourth is not
    expect(connects).toEqual([0, 200, 600, 1400]);
    expect(harness.runtime.snapshot().root.status).toBe('gave_up');
    await harness.close();
  });
});

// ------------------------------------------------------------------ "What callers see during a restart"

describe('What callers see during a restart', () => {
  @Injectable()
  class Exchange {
    quote(_symbol: string): Promise<number> {
      return Promise.resolve(0);
    }
  }

  @GenServer({ whileRestarting: 'reject' })
  class PriceFeed {
    constructor(private readonly exchange: Exchange) {}

    @HandleCall() quote(symbol: string): Promise<number> {
      return this.exchange.quote(symbol);
    }
  }

  // callers catch SERVER_NOT_RUNNING and serve the cached price:
  @Injectable()
  class Prices {
    private readonly cached = new Map<string, number>();
    constructor(@InjectServer(PriceFeed) private readonly feed: ServerRef<PriceFeed>) {}

    async price(symbol: string): Promise<number | undefined> {
      try {
        const price = await this.feed.call('quote', symbol);
        this.cached.set(symbol, price);
        return price;
      } catch (error) {
        if (!(error instanceof ServerNotRunningError)) throw error;
        return this.cached.get(symbol); // stale, but at once
      }
    }
  }

  it("whileRestarting: 'reject': while PriceFeed backs off, callers are refused at once and serve the cache", async () => {
    let price = 100;
    const harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [
          GenServerModule.forRoot({ backoff: { minMs: 1000, maxMs: 1000 } }),
          GenServerModule.forFeature([PriceFeed]),
        ],
        providers: [Exchange, PriceFeed, Prices],
      })
        .overrideProvider(Exchange)
        .useValue({ quote: async () => price }),
    );
    const prices = harness.app.get(Prices);
    await expect(prices.price('ACME')).resolves.toBe(100);

    await harness.crash(PriceFeed); // restarts in 1 s
    price = 101;
    await expect(harness.ref(PriceFeed).call('quote', 'ACME')).rejects.toMatchObject({
      code: 'SERVER_NOT_RUNNING',
    });
    await expect(prices.price('ACME')).resolves.toBe(100); // no time passed: answered from the cache

    await harness.advanceBy(1000);
    await expect(prices.price('ACME')).resolves.toBe(101);
    await harness.close();
  });
});

// ------------------------------------------------------------------ "Dynamic children" and "Registry"

describe('Dynamic children and the registry', () => {
  @Injectable()
  class ScoreService {
    save(_id: string, _board: string[]): void {}
  }

  // From here to GamesModule: the guide's code.
  interface GameArgs {
    id: string;
    players: number;
  }

  @GenServer({ restart: 'transient' }) // a crashed game restarts; a finished one does not
  class GameServer {
    private id = '';
    private board = Array<string>(9).fill('.');
    private news: string[] = [];
    constructor(private readonly scores: ScoreService) {} // DI as usual

    @Init() setUp({ id }: GameArgs) {
      this.id = id;
    } // start arguments arrive here
    @HandleCall() move(player: string, square: number) {
      if (!(square >= 0 && square < 9)) throw new RangeError(`square ${square} is off the board`);
      this.board[square] = player;
      return this.board.join(''); // e.g. 'x...o....'
    }
    @HandleCast() announce(news: string) {
      this.news.push(news);
    }
    @Terminate() finish() {
      this.scores.save(this.id, this.board);
    }
  }

  @Injectable()
  class GamesService {
    constructor(
      @InjectDynamicSupervisor(GameServer) private readonly games: DynamicSupervisorRef<GameServer, GameArgs>,
    ) {}

    open(id: string) {
      return this.games.startOrGet(id, { id, players: 2 });
    } // ServerRef<GameServer>
    async move(id: string, player: string, square: number) {
      const game = this.games.lookup(id);
      if (!game) throw new NotFoundException(`no game ${id}`);
      return game.call('move', player, square);
    }
    close(id: string) {
      return this.games.terminateChild(id);
    }
  }

  @Module({
    imports: [GenServerModule.forDynamic(GameServer, { maxChildren: 10_000, idleTimeout: 30 * 60_000 })],
    providers: [ScoreService, GamesService], // GameServer itself is NOT in providers
  })
  class GamesModule {}

  const scores = { save: jest.fn((_id: string, _board: string[]) => undefined) };
  const start = () =>
    GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), GamesModule] })
        .overrideProvider(ScoreService)
        .useValue(scores),
    );

  beforeEach(() => scores.save.mockClear());

  it('GamesService: opens, moves, restarts a crashed game, closes and evicts idle games', async () => {
    const harness = await start();
    const games = harness.app.get(GamesService);

    const game = await games.open('game-42');
    expect((await games.open('game-42')).name).toBe(game.name); // startOrGet: the same child
    expect(harness.runtime.dynamicRef(GameServer)!.countChildren()).toEqual({ total: 1, running: 1 });
    await expect(games.move('game-42', 'x', 0)).resolves.toBe('x........');
    await expect(games.move('game-42', 'o', 4)).resolves.toBe('x...o....');
    await expect(games.move('game-7', 'x', 0)).rejects.toBeInstanceOf(NotFoundException);

    // A crashed game restarts (transient), with its start arguments; its crash is logged once.
    await expect(games.move('game-42', 'x', 42)).rejects.toThrow('square 42 is off the board');
    await harness.idle();
    expect(errorLog).toHaveBeenCalledWith(
      "GameServer[game-42] crashed during call 'move': RangeError: square 42 is off the board; " +
        'GameServerSupervisor restarts it (restart 1 of 3 within 5000 ms)',
      expect.stringContaining('RangeError: square 42 is off the board'), // and its stack
    );
    expect(scores.save).toHaveBeenLastCalledWith('game-42', 'x...o....'.split(''));
    await expect(games.move('game-42', 'x', 8)).resolves.toBe('........x'); // a fresh board
    expect(harness.info(GameServer, 'game-42')).toMatchObject({ status: 'running', restarts: 1 });

    // A finished game: @Terminate runs, and it is not restarted.
    await expect(games.close('game-42')).resolves.toBe(true);
    expect(scores.save).toHaveBeenLastCalledWith('game-42', '........x'.split(''));
    await expect(games.move('game-42', 'x', 0)).rejects.toBeInstanceOf(NotFoundException);

    // Idle eviction: no message for 30 minutes stops it (@Terminate runs); its key is free again.
    await games.open('game-1');
    await harness.advanceBy('29m');
    await games.move('game-1', 'o', 1);
    await harness.advanceBy('29m');
    expect(harness.app.get(GenServerRegistry).lookup(GameServer, 'game-1')).toBeDefined();
    await harness.advanceBy('1m');
    expect(harness.app.get(GenServerRegistry).lookup(GameServer, 'game-1')).toBeUndefined();
    expect(scores.save).toHaveBeenLastCalledWith('game-1', '.o.......'.split(''));
    await expect(games.open('game-1')).resolves.toBeInstanceOf(ServerRef);
    await harness.close();
  });

  it('startChild with a taken key is an AlreadyStartedError', async () => {
    const harness = await start();
    await harness.app.get(GamesService).open('game-42');
    const supervisor = harness.runtime.dynamicRef(GameServer)!;
    await expect(supervisor.startChild({ id: 'game-42', players: 2 }, { key: 'game-42' })).rejects.toThrow(
      AlreadyStartedError,
    );
    await harness.close();
  });

  it('GenServerRegistry: lookup by key; join, dispatch, members and leave a topic; a stopped game leaves', async () => {
    const harness = await start();
    const games = harness.app.get(GamesService);
    const registry = harness.app.get(GenServerRegistry);
    const other = await games.open('game-41');
    const gameRef = await games.open('game-42');
    expect(registry.lookup(GameServer, 'game-42')?.name).toBe('GameServer[game-42]');
    expect(registry.lookup(GameServer, 'game-43')).toBeUndefined();
    registry.join('tournament:7', other);
    const members = jest.spyOn(registry, 'members');

    registry.join('tournament:7', gameRef); // a server joins a topic
    const reached = registry.dispatch<GameServer>('tournament:7', (game) => game.cast('announce', 'final'));
    registry.members('tournament:7'); // ServerRef[]
    registry.leave('tournament:7', gameRef);

    expect(reached).toBe(2);
    const names = (refs: ServerRef<object>[]): string[] => refs.map((ref) => ref.name);
    expect(names(members.mock.results[0]!.value as ServerRef<object>[])).toEqual([
      'GameServer[game-41]',
      'GameServer[game-42]',
    ]);
    expect(names(registry.members('tournament:7'))).toEqual(['GameServer[game-41]']);
    expect((await gameRef.getState()).news).toEqual(['final']);
    expect((await other.getState()).news).toEqual(['final']);

    await games.close('game-41'); // ended for good: gone from every topic
    expect(registry.members('tournament:7')).toEqual([]);
    await harness.close();
  });
});

// ------------------------------------------------------------------ "Observability"

describe('Observability', () => {
  @Injectable()
  class Pager {
    alert(_text: string): void {}
  }

  @GenServer()
  class Feed {
    @HandleCall() fail(): never {
      throw new Error('upstream down');
    }
  }

  @Supervised({ children: [Feed] })
  class FeedSupervisor {}

  @Injectable()
  class CrashAlerts implements OnModuleInit {
    constructor(
      private readonly tree: SupervisionTree,
      private readonly pager: Pager,
    ) {}
    onModuleInit() {
      this.tree.events$
        .pipe(filter((e) => e.type === 'gave_up'))
        .subscribe((e) => this.pager.alert(`${e.name} gave up: ${describeExit(e.reason!)}`));
    }
  }

  it('CrashAlerts pages once when a supervisor gives up, naming it and the last exit', async () => {
    const pager = { alert: jest.fn((_text: string) => undefined) };
    const harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [Pager, Feed, FeedSupervisor, CrashAlerts],
      })
        .overrideProvider(Pager)
        .useValue(pager),
    );
    const fail = async (): Promise<void> => {
      await expect(harness.ref(Feed).call('fail')).rejects.toThrow('upstream down');
      await harness.idle();
    };
    for (let crash = 1; crash <= 3; crash++) await fail();
    expect(pager.alert).not.toHaveBeenCalled(); // restarts within the limit are no news
    await fail();
    expect(pager.alert.mock.calls).toEqual([
      [
        'FeedSupervisor gave up: crashed during supervising Feed: RestartLimitError: FeedSupervisor gave up: ' +
          "Feed exited (crashed during call 'fail': Error: upstream down) after 3 restart(s) within 5000 ms. " +
          'Fix the cause, or raise maxRestarts/withinMs if these exits are expected.',
      ],
    ]);
    await harness.close();
  });
});

// ------------------------------------------------------------------ "Nested trees with the runtime"

describe('Nested trees with the runtime', () => {
  class DbConnection {
    query(sql: string): string {
      return `rows of ${sql}`;
    }
  }
  class Cache {
    get(key: string): string | undefined {
      return key === 'answer' ? '42' : undefined;
    }
  }

  it('starts depth-first in list order and stops in exact reverse order', async () => {
    const starts = jest.spyOn(ServerProcess.prototype, 'start');
    const stops = jest.spyOn(ServerProcess.prototype, 'stop');

    const db = new ServerProcess({
      name: 'db',
      create: () => new DbConnection(),
      calls: { query: DbConnection.prototype.query },
    });
    const cache = new ServerProcess({
      name: 'cache',
      create: () => new Cache(),
      calls: { get: Cache.prototype.get },
    });

    const storage = new Supervisor({ name: 'storage', strategy: 'rest_for_one', maxRestarts: 2 });
    storage.add(db);
    storage.add(cache);

    const root = new Supervisor({ name: 'root' });
    root.add(storage); // a supervisor is a child like a server
    await root.start(); // depth-first, in list order
    // ...
    await root.stop(); // exact reverse order; each child within its own shutdown timeout

    expect((starts.mock.contexts as ServerProcess[]).map((process) => process.name)).toEqual(['db', 'cache']);
    expect((stops.mock.contexts as ServerProcess[]).map((process) => process.name)).toEqual(['cache', 'db']);
    expect(root.info()).toMatchObject({
      status: 'stopped',
      children: [
        { name: 'storage', strategy: 'rest_for_one', children: [{ name: 'db' }, { name: 'cache' }] },
      ],
    });
  });

  it('the processes answer calls while the tree runs', async () => {
    const db = new ServerProcess({
      name: 'db',
      create: () => new DbConnection(),
      calls: { query: DbConnection.prototype.query },
    });
    const cache = new ServerProcess({
      name: 'cache',
      create: () => new Cache(),
      calls: { get: Cache.prototype.get },
    });
    const root = new Supervisor({ name: 'root' });
    root.add(db);
    root.add(cache);
    await root.start();
    await expect(db.call('query', ['select 1'])).resolves.toBe('rows of select 1');
    await expect(cache.call('get', ['answer'])).resolves.toBe('42');
    await root.stop();
  });
});
