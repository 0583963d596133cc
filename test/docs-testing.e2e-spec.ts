import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleInfo,
  InjectServer,
  Periodic,
  ServerCrashedError,
  type ServerRef,
  Supervised,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness, NotIdleError } from 'nestjs-genserver/testing';

/**
 * The examples of docs/testing.md, verbatim (but for their import lines), so the guide cannot drift
 * from the kit. The recipes of the guide are pinned to the scenario specs they quote.
 */

// ------------------------------------------------------------------ the code under test in the guide

@Injectable()
export class PriceFeed {
  fetch(): Promise<number> {
    return Promise.resolve(100);
  }
}

@GenServer()
export class PriceSync {
  price = 0;
  runs: string[] = [];

  constructor(
    private readonly feed: PriceFeed,
    private readonly runtime: GenServerRuntime,
  ) {}

  @Periodic('1h', { align: true })
  async sync(): Promise<void> {
    this.price = await this.feed.fetch();
    this.runs.push(new Date(this.runtime.clock.now()).toISOString());
  }

  @HandleInfo()
  onMessage(message: { price: number }): void {
    this.price = message.price;
  }
}

@Module({ imports: [GenServerModule.forFeature([PriceSync])], providers: [PriceSync, PriceFeed] })
export class PricesModule {}

@GenServer({ callTimeout: 2000 })
export class PaymentServer {
  @HandleCall()
  async charge(orderId: string, cents: number): Promise<{ id: string }> {
    return { id: `${orderId}:${cents}` }; // the real one talks to a payment provider
  }
}

@GenServer()
export class Checkout {
  constructor(@InjectServer(PaymentServer) private readonly payments: ServerRef<PaymentServer>) {}

  @HandleCall()
  async pay(orderId: string): Promise<string> {
    const receipt = await this.payments.call('charge', orderId, 4200);
    return receipt.id;
  }
}

@GenServer()
class Repo {
  @HandleCall() ping(): string {
    return 'pong';
  }
}
@GenServer()
class Cache {
  @HandleCall() ping(): string {
    return 'pong';
  }
}
@Supervised({ children: [Repo, Cache] })
class Storage {}
@GenServer()
class Mailer {
  @HandleCall() ping(): string {
    return 'pong';
  }
}

@Controller('prices')
class PricesController {
  constructor(@InjectServer(PriceSync) private readonly sync: ServerRef<PriceSync>) {}
  @Get()
  async current(): Promise<{ price: number }> {
    return { price: (await this.sync.getState()).price };
  }
}
@Module({
  imports: [GenServerModule.forRoot(), PricesModule, GenServerModule.forFeature([PriceSync])],
  controllers: [PricesController],
})
class AppModule {}

describe('docs/testing.md', () => {
  describe('first test', () => {
    let harness: GenServerHarness;

    beforeEach(async () => {
      harness = await GenServerTesting.start(
        Test.createTestingModule({ imports: [GenServerModule.forRoot(), PricesModule] }),
        { now: '2026-03-05T10:17:42Z' },
      );
    });
    afterEach(() => harness.close());

    it('syncs on the hour, 24 times a day', async () => {
      await harness.advanceBy('24h');
      const state = await harness.getState(PriceSync);
      expect(state.runs).toHaveLength(24);
      expect(state.runs[0]).toBe('2026-03-05T11:00:00.000Z');
      expect(state.runs[23]).toBe('2026-03-06T10:00:00.000Z');
    });
  });

  it('reads state, sends messages and waits for quiet', async () => {
    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), PricesModule] }),
    );
    await harness.send(PriceSync, { price: 7 }); // @HandleInfo, handled when send() resolves
    expect((await harness.getState(PriceSync)).price).toBe(7);

    harness.ref(PriceSync).send({ price: 8 }); // the ref: call, cast, send, as the app does
    await harness.idle(); // every mailbox empty, no handler running
    expect((await harness.getState(PriceSync)).price).toBe(8);
    await harness.close();
  });

  it('crashes a server and watches its supervisor', async () => {
    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), PricesModule] }),
    );
    await harness.crash(PriceSync, new Error('feed corrupted'));

    expect(harness.events.types(PriceSync)).toEqual(['started', 'crashed', 'restarted']);
    expect(harness.info(PriceSync)).toMatchObject({ restarts: 1, status: 'running' });
    expect(harness.info(PriceSync).lastCrash?.error).toContain('feed corrupted');
    await harness.close();
  });

  it('mocks a dependency; the mock survives restarts', async () => {
    const feed = { fetch: jest.fn(() => Promise.resolve(42)) };
    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), PricesModule] })
        .overrideProvider(PriceFeed)
        .useValue(feed),
    );
    await harness.advanceBy('1h');
    await harness.crash(PriceSync);
    await harness.advanceBy('1h');
    expect(feed.fetch).toHaveBeenCalledTimes(2); // the restarted instance got the mock too
    expect((await harness.getState(PriceSync)).price).toBe(42);
    await harness.close();
  });

  it('mocks a GenServer', async () => {
    const payments = GenServerTesting.mock(PaymentServer, {
      charge: async (orderId) => ({ id: `test-${orderId}` }),
    });
    const harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot(), GenServerModule.forFeature([PaymentServer])],
        providers: [Checkout],
      }),
      { mocks: [payments] },
    );

    expect(await harness.ref(Checkout).call('pay', 'order-1')).toBe('test-order-1');
    expect(payments.charge).toHaveBeenCalledWith('order-1', 4200);

    // The mock answers through a mailbox with PaymentServer's own callTimeout (2000 ms):
    payments.charge.mockImplementation(() => new Promise(() => {}));
    const paying = harness.ref(Checkout).call('pay', 'order-2');
    const failed = expect(paying).rejects.toThrow(ServerCrashedError); // Checkout crashed on the timeout
    await harness.advanceBy(2000);
    await failed;
    await harness.close();
  });

  it('starts part of a tree', async () => {
    const harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [Storage, Repo, Cache, Mailer],
      }),
      { start: [Cache] }, // Storage starts with Cache only; Repo and Mailer wait
    );
    expect(harness.info(Repo).status).toBe('idle');
    const early = harness.ref(Mailer).call('ping'); // queued until Mailer starts

    await harness.start(Mailer);
    expect(await early).toBe('pong');
    await harness.start(); // everything else, at its place in the tree
    expect(harness.info(Repo).status).toBe('running');
    await harness.close();
  });

  it('drives an HTTP app', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }), {
      http: true,
    });
    await harness.advanceBy('1h');
    await request(harness.app.getHttpServer()).get('/prices').expect(200, { price: 100 });
    await harness.close();
  });

  it('builds the app yourself: configure, then harness', async () => {
    const moduleRef = await GenServerTesting.configure(Test.createTestingModule({ imports: [AppModule] }), {
      now: '2026-03-05T00:00:00Z',
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const harness = GenServerTesting.harness(app);

    await harness.advanceTo('2026-03-05T06:30:00Z');
    expect((await harness.getState(PriceSync)).runs).toHaveLength(6);
    await app.close();
  });

  it('idle() tells you when a handler waits for time', async () => {
    @GenServer()
    class Slow {
      @HandleCall()
      wait(): Promise<void> {
        return new Promise(() => {}); // never settles
      }
    }
    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Slow] }),
    );
    void harness
      .ref(Slow)
      .call('wait')
      .catch(() => undefined);
    await expect(harness.idle()).rejects.toThrow(NotIdleError);
    await harness.close(); // moves time past Slow's shutdown timeout rather than hang
  });
});
