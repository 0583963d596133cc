import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CallTimeoutError,
  GenServer,
  GenServerModule,
  HandleCall,
  HandleCast,
  HandleInfo,
  Init,
  InjectDynamicSupervisor,
  InjectSelf,
  InjectServer,
  InvalidDefinitionError,
  JobNotFoundError,
  Periodic,
  SelfRef,
  ServerCrashedError,
  ServerRef,
  Supervised,
  Terminate,
  type DynamicSupervisorRef,
} from 'nestjs-genserver';
import { GenServerTesting, NotIdleError, type GenServerHarness } from 'nestjs-genserver/testing';

@Injectable()
class Clock2 {
  stamp(): string {
    return 'real';
  }
}

@GenServer()
class Ticker {
  ticks: number[] = [];
  infos: unknown[] = [];
  terminated: string[] = [];

  constructor(private readonly stamp: Clock2) {}

  @Periodic('1h', { align: true })
  tick(): void {
    this.ticks.push(this.ticks.length + 1);
  }

  @HandleCall()
  whoStamps(): string {
    return this.stamp.stamp();
  }

  @HandleInfo()
  info(message: unknown): void {
    this.infos.push(message);
  }

  @Terminate()
  stop(reason: unknown): void {
    this.terminated.push(typeof reason === 'string' ? reason : 'crash');
  }
}

@GenServer({ callTimeout: 2000 })
class PaymentServer {
  @HandleCall()
  async charge(order: string, cents: number): Promise<{ id: string }> {
    return { id: `real-${order}-${cents}` };
  }

  @HandleCast()
  refund(_order: string): void {}
}

@GenServer()
class Checkout {
  constructor(@InjectServer(PaymentServer) private readonly payments: ServerRef<PaymentServer>) {}

  @HandleCall()
  async pay(order: string): Promise<string> {
    const { id } = await this.payments.call('charge', order, 500);
    return id;
  }

  @HandleCast()
  cancel(order: string): void {
    this.payments.cast('refund', order);
  }
}

@GenServer()
class Game {
  moves: string[] = [];
  @Init()
  init(args: { first: string }): void {
    this.moves.push(args.first);
  }
  @HandleCall()
  move(m: string): number {
    this.moves.push(m);
    return this.moves.length;
  }
}

@Injectable()
class Lobby {
  constructor(@InjectDynamicSupervisor(Game) readonly games: DynamicSupervisorRef<Game, { first: string }>) {}
}

@GenServer()
class Waiter {
  @InjectSelf() self!: SelfRef<Waiter>;
  @HandleCall()
  async waitForever(): Promise<void> {
    await new Promise(() => undefined);
  }
}

describe('GenServerTesting', () => {
  let harness: GenServerHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  describe('the manual clock and the harness', () => {
    it('puts the tree on a manual clock starting at `now`; advanceBy fires the ticks in order', async () => {
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Ticker, Clock2] }),
        {
          now: '2026-03-05T10:17:00Z',
        },
      );
      expect(harness.now()).toBe(Date.parse('2026-03-05T10:17:00Z'));
      await harness.advanceBy('24h');
      const state = await harness.getState(Ticker);
      expect(state.ticks).toHaveLength(24);
      expect(harness.job('Ticker.tick')).toMatchObject({
        runs: 24,
        nextRunAt: Date.parse('2026-03-06T11:00:00Z'),
      });
      expect(() => harness?.job('Ticker.tock')).toThrow(JobNotFoundError);
      expect(harness.info(Ticker).periodic?.[0]).toMatchObject({
        runs: 24,
        lastRunAt: Date.parse('2026-03-06T10:00:00Z'),
      });
      await harness.advanceTo('2026-03-06T12:30:00Z');
      expect((await harness.getState(Ticker)).ticks).toHaveLength(26);
      await expect(harness.advanceTo('not a date')).rejects.toThrow(RangeError);
      await expect(harness.advanceBy(-1)).rejects.toThrow(RangeError);
    });

    it('send() drives @HandleInfo and waits for it; getState() is a snapshot of the fields', async () => {
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Ticker, Clock2] }),
      );
      await harness.send(Ticker, { kind: 'ping' });
      const state = await harness.getState(Ticker);
      expect(state.infos).toEqual([{ kind: 'ping' }]);
      expect(state).not.toHaveProperty('tick');
    });

    it('crash() goes through the supervisor: @Terminate runs, the instance is fresh, the events say so', async () => {
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Ticker, Clock2] }),
      );
      await harness.send(Ticker, 'before');
      await harness.crash(Ticker, new Error('boom'));
      expect(harness.info(Ticker)).toMatchObject({ restarts: 1, incarnation: 2, status: 'running' });
      expect(harness.info(Ticker).lastCrash).toMatchObject({ during: 'crashWith()', error: 'Error: boom' });
      expect((await harness.getState(Ticker)).infos).toEqual([]);
      expect(harness.events.types(Ticker)).toEqual(['started', 'crashed', 'restarted']);
      expect(harness.events.last(Ticker)).toMatchObject({ type: 'restarted', restarts: 1 });
      harness.events.clear();
      await harness.close();
      expect(harness.events.types(Ticker)).toEqual(['stopped']);
      harness = undefined;
    });

    it('records the root giving up after too many crashes', async () => {
      harness = await GenServerTesting.start(
        Test.createTestingModule({
          imports: [GenServerModule.forRoot({ maxRestarts: 1, withinMs: 1000 })],
          providers: [Ticker, Clock2],
        }),
      );
      await harness.crash(Ticker);
      await harness.crash(Ticker);
      expect(harness.events.types(Ticker)).toEqual(['started', 'crashed', 'restarted', 'crashed', 'stopped']);
      expect(harness.events.types('root')).toContain('gave_up');
      expect(harness.runtime.healthy).toBe(false);
    });

    it('idle() resolves when every mailbox is empty, and says who is stuck when a handler never finishes', async () => {
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Waiter] }),
      );
      await harness.idle();
      const stuck = expect(harness.runtime.ref(Waiter).call('waitForever')).rejects.toBeInstanceOf(
        CallTimeoutError,
      );
      const error = await harness.idle().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotIdleError);
      expect((error as NotIdleError).busy).toEqual([
        { name: 'Waiter', handling: "call 'waitForever'", mailboxLength: 0 },
      ]);
      expect((error as Error).message).toContain("Waiter is handling call 'waitForever'");
      await harness.advanceBy(5000);
      await stuck;
      // Closing lets the manual clock run to the shutdown timeout of the handler that never ends.
      await harness.close();
      harness = undefined;
    });

    it('selects dynamic children by key', async () => {
      @Module({ imports: [GenServerModule.forDynamic(Game)], providers: [Lobby] })
      class GamesModule {}
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot(), GamesModule] }),
      );
      const lobby = harness.app.get(Lobby);
      await lobby.games.startChild({ first: 'e4' }, { key: 'game-42' });
      await harness.ref(Game, 'game-42').call('move', 'e5');
      expect((await harness.getState(Game, 'game-42')).moves).toEqual(['e4', 'e5']);
      await harness.server(Game, 'game-42').crash();
      expect(harness.events.types(Game, 'game-42')).toEqual(['started', 'crashed', 'restarted']);
      expect(() => harness?.ref(Game, 'game-7')).toThrow("Game has no child 'game-7' (running: game-42)");
      expect(() => harness?.ref(Game)).toThrow('runs as dynamic children');
      expect(() => harness?.ref(Ticker, 'x')).toThrow('is not run with GenServerModule.forDynamic()');
    });

    it('overrideProvider() mocks stay in place across restarts', async () => {
      const stamp = { stamp: jest.fn(() => 'mocked') };
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Ticker, Clock2] })
          .overrideProvider(Clock2)
          .useValue(stamp),
      );
      expect(await harness.ref(Ticker).call('whoStamps')).toBe('mocked');
      await harness.crash(Ticker);
      expect(await harness.ref(Ticker).call('whoStamps')).toBe('mocked');
      expect(stamp.stamp).toHaveBeenCalledTimes(2);
    });

    it('serves an HTTP app with `http: true`', async () => {
      @Controller('ticker')
      class TickerController {
        constructor(@InjectServer(Ticker) private readonly ticker: ServerRef<Ticker>) {}
        @Get(':what')
        async read(@Param('what') what: string): Promise<{ what: string; ticks: number }> {
          const state = await this.ticker.getState();
          return { what, ticks: state.ticks.length };
        }
      }
      const http = await GenServerTesting.start(
        Test.createTestingModule({
          imports: [GenServerModule.forRoot(), GenServerModule.forFeature([Ticker])],
          controllers: [TickerController],
          providers: [Ticker, Clock2],
        }),
        { http: true },
      );
      harness = http;
      await http.advanceBy('3h');
      const res = await request(http.app.getHttpServer()).get('/ticker/now').expect(200);
      expect(res.body).toEqual({ what: 'now', ticks: 3 });
    });

    it('refuses an app the kit did not set up', async () => {
      const module = await Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [Ticker, Clock2],
      }).compile();
      expect(() => GenServerTesting.harness(module)).toThrow('GenServerTesting.configure(builder)');
      await module.close();
    });

    it('rejects a bad start time', () => {
      expect(() =>
        GenServerTesting.configure(Test.createTestingModule({ imports: [GenServerModule.forRoot()] }), {
          now: 'soon',
        }),
      ).toThrow(RangeError);
    });
  });

  describe('mocking a GenServer', () => {
    it('answers through a real mailbox with Jest spies per handler', async () => {
      const payments = GenServerTesting.mock(PaymentServer, {
        charge: async (order, cents) => ({ id: `mock-${order}-${cents}` }),
      });
      harness = await GenServerTesting.start(
        Test.createTestingModule({
          imports: [GenServerModule.forRoot(), GenServerModule.forFeature([PaymentServer])],
          providers: [Checkout, PaymentServer],
        }),
        { mocks: [payments] },
      );
      expect(await harness.ref(Checkout).call('pay', 'o-1')).toBe('mock-o-1-500');
      expect(payments.charge).toHaveBeenCalledWith('o-1', 500);
      harness.ref(Checkout).cast('cancel', 'o-1');
      await harness.idle();
      expect(payments.refund).toHaveBeenCalledWith('o-1');
      expect(harness.info(PaymentServer)).toMatchObject({
        name: 'PaymentServer',
        handled: { calls: 1, casts: 1 },
      });
    });

    it('keeps the server’s call timeout: a hanging mock makes the caller time out', async () => {
      const payments = GenServerTesting.mock(PaymentServer);
      payments.charge.mockImplementation(() => new Promise(() => undefined));
      harness = await GenServerTesting.start(
        Test.createTestingModule({
          imports: [GenServerModule.forRoot(), GenServerModule.forFeature([PaymentServer])],
          providers: [Checkout, PaymentServer],
        }),
        { mocks: [payments] },
      );
      // Checkout's handler gets PaymentServer's own callTimeout (2000 ms) and crashes on it.
      const paying = expect(harness.ref(Checkout).withTimeout(10_000).call('pay', 'o-2')).rejects.toThrow(
        ServerCrashedError,
      );
      await harness.advanceBy(1999);
      expect(harness.info(Checkout).restarts).toBe(0);
      await harness.advanceBy(1);
      await paying;
      expect(harness.info(Checkout).lastCrash?.error).toContain('CallTimeoutError');
    });

    it('a throwing mock crashes and is restarted like the real server', async () => {
      const payments = GenServerTesting.mock(PaymentServer, {
        charge: () => {
          throw new Error('card declined');
        },
      });
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [PaymentServer] }),
        {
          mocks: [payments],
        },
      );
      await expect(harness.ref(PaymentServer).call('charge', 'o', 1)).rejects.toBeInstanceOf(
        ServerCrashedError,
      );
      await harness.idle();
      expect(harness.events.types(PaymentServer)).toEqual(['started', 'crashed', 'restarted']);
      payments.charge.mockReturnValue(Promise.resolve({ id: 'ok' }));
      expect(await harness.ref(PaymentServer).call('charge', 'o', 1)).toEqual({ id: 'ok' });
    });

    it('needs no provider nor dependencies of the real server: the mock starts first', async () => {
      const payments = GenServerTesting.mock(PaymentServer, { charge: () => ({ id: 'x' }) });
      harness = await GenServerTesting.start(
        Test.createTestingModule({
          imports: [GenServerModule.forRoot(), GenServerModule.forFeature([PaymentServer])],
          providers: [Checkout],
        }),
        { mocks: [payments] },
      );
      expect(await harness.ref(Checkout).call('pay', 'o')).toBe('x');
      expect(
        harness.runtime
          .snapshot()
          .root.children.map((c) => c.name)
          .slice(0, 2),
      ).toEqual(['PaymentServer', 'Checkout']);
    });

    it('refuses unknown methods, non-functions, a mock given twice and a dynamic server', async () => {
      expect(() => GenServerTesting.mock(PaymentServer, { chrage: () => undefined } as never)).toThrow(
        "has no method 'chrage' (its methods: charge, refund)",
      );
      expect(() => GenServerTesting.mock(PaymentServer, { charge: 42 } as never)).toThrow(
        'must be a function',
      );
      const payments = GenServerTesting.mock(PaymentServer);
      expect(() =>
        GenServerTesting.configure(Test.createTestingModule({ imports: [GenServerModule.forRoot()] }), {
          mocks: [payments, payments],
        }),
      ).toThrow('mocked twice');
      expect(() =>
        GenServerTesting.configure(Test.createTestingModule({ imports: [GenServerModule.forRoot()] }), {
          mocks: [{} as never],
        }),
      ).toThrow('GenServerTesting.mock(Server)');
      const game = GenServerTesting.mock(Game);
      await expect(
        GenServerTesting.start(
          Test.createTestingModule({
            imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(Game)],
          }),
          {
            mocks: [game],
          },
        ),
      ).rejects.toThrow(InvalidDefinitionError);
    });

    it('takes another runner’s spy factory', () => {
      const made: string[] = [];
      const spy = (impl?: (...args: never[]) => unknown) => {
        made.push(impl === undefined ? 'stub' : 'impl');
        return impl ?? (() => undefined);
      };
      GenServerTesting.mock(PaymentServer, { charge: () => ({ id: '1' }) }, { spy });
      expect(made).toEqual(['impl', 'stub']);
    });
  });

  describe('partial trees', () => {
    @GenServer()
    class Repo {
      @HandleCall() ping(): string {
        return 'repo';
      }
    }
    @GenServer()
    class Cache {
      @HandleCall() ping(): string {
        return 'cache';
      }
    }
    @GenServer()
    class Mailer {
      @HandleCall() ping(): string {
        return 'mailer';
      }
    }
    @Supervised({ children: [Repo, Cache], strategy: 'rest_for_one' })
    class Storage {}

    const builder = () =>
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [Storage, Repo, Cache, Mailer],
      });
    const names = (h: GenServerHarness): string[] =>
      h.runtime
        .snapshot()
        .root.children.map((c) =>
          c.type === 'supervisor' ? `${c.name}(${c.children.map((g) => g.name).join(',')})` : c.name,
        );

    it("start: 'none' starts no server; harness.start() starts them where the tree puts them", async () => {
      harness = await GenServerTesting.start(builder(), { start: 'none' });
      expect(names(harness)).toEqual(['tasks']);
      expect(harness.info(Mailer).status).toBe('idle');
      const early = harness.ref(Cache).call('ping'); // waits for the server, as during a restart
      await harness.start(Cache);
      expect(await early).toBe('cache');
      expect(names(harness)).toEqual(['Storage(Cache)', 'tasks']);
      await harness.start(Repo);
      expect(names(harness)).toEqual(['Storage(Repo,Cache)', 'tasks']);
      await expect(harness.start(Repo)).rejects.toThrow('Repo is already started');
      await harness.start();
      expect(names(harness)).toEqual(['Storage(Repo,Cache)', 'Mailer', 'tasks']);
    });

    it('start: [classes] starts those with their subtrees (and the supervisors above them)', async () => {
      harness = await GenServerTesting.start(builder(), { start: [Cache, Mailer] });
      expect(names(harness)).toEqual(['Storage(Cache)', 'Mailer', 'tasks']);
      await harness.close();
      harness = await GenServerTesting.start(builder(), { start: [Storage] });
      expect(names(harness)).toEqual(['Storage(Repo,Cache)', 'tasks']);
    });

    it('a caller still waiting on a server never started hears at shutdown', async () => {
      harness = await GenServerTesting.start(builder(), { start: [Storage] });
      const waiting = expect(harness.ref(Mailer).call('ping')).rejects.toThrow(
        "Mailer cannot handle call 'ping': it is stopped (it stopped before it was running)",
      );
      await harness.close();
      harness = undefined;
      await waiting;
    });

    it('refuses a class that is not in the tree', async () => {
      await expect(GenServerTesting.start(builder(), { start: [Ticker] })).rejects.toThrow(
        'Ticker is not a GenServer or @Supervised class provided in this application',
      );
      harness = await GenServerTesting.start(builder(), { start: 'none' });
      await expect(harness.start(Ticker)).rejects.toThrow(InvalidDefinitionError);
    });
  });
});
