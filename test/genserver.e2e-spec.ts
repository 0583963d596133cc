import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Controller, Injectable, Module, Scope, type INestApplicationContext } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  CallTimeoutError,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  HandleInfo,
  Init,
  InjectServer,
  ManualClock,
  ServerCrashedError,
  ServerNotRunningError,
  ServerRef,
  Terminate,
  UnknownMessageError,
  getServerToken,
  type ExitReason,
  type GenServerModuleOptions,
} from 'nestjs-genserver';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

@Injectable()
class Notifier {
  readonly sent: string[] = [];
  async lastCount(): Promise<number> {
    return 0;
  }
  notify(event: string): void {
    this.sent.push(event);
  }
}

@GenServer()
class Counter {
  static instances = 0;
  private count = 0;
  readonly seen: unknown[] = [];
  private readonly id = ++Counter.instances;

  constructor(private readonly notifier: Notifier) {}

  @Init()
  async load(): Promise<void> {
    this.count = await this.notifier.lastCount();
  }

  @HandleCall()
  increment(by = 1): number {
    this.count += by;
    return this.count;
  }

  @HandleCall()
  async incrementSlowly(by: number): Promise<number> {
    const before = this.count;
    await Promise.resolve();
    await turn();
    this.count = before + by;
    return this.count;
  }

  @HandleCall()
  whoami(): number {
    return this.id;
  }

  @HandleCall()
  explode(why: string): never {
    throw new Error(why);
  }

  /** Parks until the test calls `Counter.releaseAll()`. */
  @HandleCall()
  hang(): Promise<void> {
    return new Promise((resolve) => Counter.parked.push(resolve));
  }
  static parked: (() => void)[] = [];
  static releaseAll(): void {
    Counter.parked.splice(0).forEach((release) => release());
  }

  @HandleCast()
  reset(): void {
    this.count = 0;
  }

  @HandleCast()
  add(by: number): void {
    this.count += by;
  }

  @HandleInfo()
  onMessage(message: unknown): void {
    this.seen.push(message);
  }

  @Terminate()
  flush(reason: ExitReason): void {
    this.notifier.notify(`terminated ${typeof reason === 'string' ? reason : reason.kind} at ${this.count}`);
  }
}

@Controller()
class CounterController {
  constructor(@InjectServer(Counter) readonly counter: ServerRef<Counter>) {}
}

@Module({
  imports: [GenServerModule.forFeature([Counter])],
  providers: [Notifier, Counter],
  controllers: [CounterController],
})
class CounterModule {}

async function boot(
  options: GenServerModuleOptions = {},
  notifier: Partial<Notifier> = {},
): Promise<{
  app: INestApplicationContext;
  ref: ServerRef<Counter>;
  notifier: Notifier;
  clock: ManualClock;
}> {
  const clock = new ManualClock();
  const mock = Object.assign(new Notifier(), { lastCount: jest.fn(async () => 10) }, notifier);
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [GenServerModule.forRoot({ clock, ...options }), CounterModule],
  })
    .overrideProvider(Notifier)
    .useValue(mock)
    .compile();
  const app = await moduleRef.init();
  return { app, ref: app.get(CounterController).counter, notifier: mock, clock };
}

describe('GenServerModule (e2e)', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    Counter.releaseAll();
    await app?.close();
    app = undefined;
  });

  it('runs @Init with the overridden dependency before the first message', async () => {
    const booted = await boot();
    app = booted.app;
    expect(booted.notifier.lastCount).toHaveBeenCalledTimes(1);
    await expect(booted.ref.call('increment', 5)).resolves.toBe(15);
  });

  it('serializes 1000 concurrent async calls: the count ends at exactly 1000', async () => {
    const booted = await boot({}, { lastCount: async () => 0 });
    app = booted.app;
    const replies = await Promise.all(
      Array.from({ length: 1000 }, () => booted.ref.call('incrementSlowly', 1)),
    );
    expect(Math.max(...replies)).toBe(1000);
    expect(new Set(replies).size).toBe(1000);
    expect((await booted.ref.getState()).count).toBe(1000);
  });

  it('handles casts and infos in order with calls', async () => {
    const booted = await boot();
    app = booted.app;
    booted.ref.cast('reset');
    booted.ref.cast('add', 3);
    booted.ref.send({ type: 'hello' });
    await expect(booted.ref.call('increment', 1)).resolves.toBe(4);
    expect((await booted.ref.getState()).seen).toEqual([{ type: 'hello' }]);
  });

  it('crashes on a throwing handler: typed error, then a fresh instance with the same (mock) deps answers', async () => {
    const booted = await boot();
    app = booted.app;
    await booted.ref.call('increment', 5);
    const first = await booted.ref.call('whoami');
    const error = await booted.ref.call('explode', 'bad input').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerCrashedError);
    expect((error as Error).message).toBe("Counter crashed while handling call 'explode': Error: bad input");
    // Fresh state (init ran again through the mock), new instance, same ref.
    await expect(booted.ref.call('increment', 1)).resolves.toBe(11);
    expect(await booted.ref.call('whoami')).not.toBe(first);
    expect(booted.notifier.lastCount).toHaveBeenCalledTimes(2);
    expect(booted.notifier.sent).toContain('terminated crash at 15');
    expect(booted.ref.info()).toMatchObject({ status: 'running', restarts: 1, incarnation: 2 });
  });

  it('rejects with CallTimeoutError after the timeout on the manual clock', async () => {
    const booted = await boot({ callTimeout: 1000 });
    app = booted.app;
    const pending = booted.ref.call('hang');
    booted.clock.advanceBy(999);
    await turn();
    booted.clock.advanceBy(1);
    await expect(pending).rejects.toBeInstanceOf(CallTimeoutError);
    // The handler is still parked (OTP: the server stays busy); let it finish, its reply is dropped.
    Counter.releaseAll();
    await expect(booted.ref.call('increment')).resolves.toBe(11);
    const custom = booted.ref.withTimeout(50).call('hang');
    booted.clock.advanceBy(50);
    await expect(custom).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 50 });
  });

  it('rejects an unknown message name from an untyped caller and keeps running', async () => {
    const booted = await boot();
    app = booted.app;
    const untyped = booted.ref as unknown as { call(name: string): Promise<unknown> };
    await expect(untyped.call('decrement')).rejects.toBeInstanceOf(UnknownMessageError);
    await expect(booted.ref.call('increment')).resolves.toBe(11);
  });

  it('on close: drains queued casts, runs @Terminate, then refuses calls', async () => {
    const booted = await boot();
    for (let i = 0; i < 100; i++) booted.ref.cast('add', 1);
    await booted.app.close();
    expect(booted.notifier.sent).toEqual(['terminated shutdown at 110']);
    await expect(booted.ref.call('increment')).rejects.toBeInstanceOf(ServerNotRunningError);
    expect(() => booted.ref.cast('reset')).toThrow(ServerNotRunningError);
  });

  it('with drainOnShutdown: false refuses what is still queued', async () => {
    const booted = await boot({ drainOnShutdown: false });
    const inFlight = booted.ref.call('hang');
    await turn();
    const queued = booted.ref.call('increment');
    const closing = booted.app.close();
    await expect(queued).rejects.toBeInstanceOf(ServerNotRunningError);
    Counter.releaseAll();
    await closing;
    await expect(inFlight).resolves.toBeUndefined();
    expect(booted.notifier.sent).toEqual(['terminated shutdown at 10']);
  });

  it('exposes a snapshot of the tree and the ref by class', async () => {
    const booted = await boot();
    app = booted.app;
    const runtime = app.get(GenServerRuntime);
    expect(runtime.ref(Counter)).toBe(booted.ref);
    await booted.ref.call('increment');
    booted.clock.advanceBy(2500);
    expect(runtime.snapshot()).toMatchObject({
      healthy: true,
      root: {
        name: 'root',
        strategy: 'one_for_one',
        status: 'running',
        children: [
          { name: 'Counter', status: 'running', handled: { calls: 1 }, uptimeMs: 2500, restarts: 0 },
          { type: 'task-supervisor', name: 'tasks', status: 'running', running: 0 },
        ],
      },
    });
  });

  it('gives up after too many restarts, marks the tree unhealthy and keeps the app alive', async () => {
    const booted = await boot({ maxRestarts: 2, withinMs: 60_000 });
    app = booted.app;
    for (let i = 0; i < 3; i++) await booted.ref.call('explode', `crash ${i}`).catch(() => undefined);
    await turn();
    await turn();
    const runtime = app.get(GenServerRuntime);
    expect(runtime.healthy).toBe(false);
    expect(runtime.snapshot().root.status).toBe('gave_up');
    await expect(booted.ref.call('increment')).rejects.toBeInstanceOf(ServerNotRunningError);
  });

  it('restarts every root server with strategy one_for_all', async () => {
    @GenServer()
    class Sibling {
      static instances = 0;
      readonly id = ++Sibling.instances;
      @HandleCall() whoami(): number {
        return this.id;
      }
    }
    @Module({ imports: [GenServerModule.forFeature([Sibling])], providers: [Sibling] })
    class SiblingModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ strategy: 'one_for_all' }), CounterModule, SiblingModule],
    })
      .overrideProvider(Notifier)
      .useValue(new Notifier())
      .compile();
    app = await moduleRef.init();
    const runtime = app.get(GenServerRuntime);
    const sibling = runtime.ref(Sibling);
    const first = await sibling.call('whoami');
    await runtime
      .ref(Counter)
      .call('explode', 'take everyone down')
      .catch(() => undefined);
    for (let i = 0; i < 20 && runtime.ref(Sibling).info().incarnation === 1; i++) await turn();
    expect(await sibling.call('whoami')).toBe(first + 1);
    expect(runtime.snapshot().root).toMatchObject({ strategy: 'one_for_all', status: 'running' });
  });

  it('configures through forRootAsync with an injected factory', async () => {
    @Injectable()
    class Config {
      readonly timeout = 123;
    }
    @Module({ providers: [Config], exports: [Config] })
    class ConfigModule {}
    const clock = new ManualClock();
    const moduleRef = await Test.createTestingModule({
      imports: [
        GenServerModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: (config: Config) => ({ clock, callTimeout: config.timeout }),
        }),
        CounterModule,
      ],
    }).compile();
    app = await moduleRef.init();
    const ref = app.get<ServerRef<Counter>>(getServerToken(Counter), { strict: false });
    const pending = ref.call('hang');
    clock.advanceBy(123);
    await expect(pending).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 123 });
  });
});

describe('forRootAsync with a class', () => {
  @Injectable()
  class Options {
    readonly clock = new ManualClock();
    createGenServerOptions(): GenServerModuleOptions {
      return { clock: this.clock, callTimeout: 77 };
    }
  }

  async function timeoutWith(metadata: Parameters<typeof Test.createTestingModule>[0]): Promise<unknown> {
    const app = await (await Test.createTestingModule(metadata).compile()).init();
    try {
      const ref = app.get<ServerRef<Counter>>(getServerToken(Counter), { strict: false });
      const pending = ref.call('hang');
      app.get(Options, { strict: false }).clock.advanceBy(77);
      return await pending.catch((e: unknown) => e);
    } finally {
      Counter.releaseAll();
      await app.close();
    }
  }

  it('useClass builds the options factory', async () => {
    const error = await timeoutWith({
      imports: [GenServerModule.forRootAsync({ useClass: Options }), CounterModule],
    });
    expect(error).toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 77 });
  });

  it('useExisting reuses a provider from an imported module', async () => {
    @Module({ providers: [Options], exports: [Options] })
    class OptionsModule {}
    const error = await timeoutWith({
      imports: [
        GenServerModule.forRootAsync({ imports: [OptionsModule], useExisting: Options }),
        CounterModule,
      ],
    });
    expect(error).toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 77 });
  });

  it('refuses zero or several of useFactory/useClass/useExisting', () => {
    expect(() => GenServerModule.forRootAsync({})).toThrow(
      'needs exactly one of useFactory, useClass or useExisting',
    );
    expect(() => GenServerModule.forRootAsync({ useClass: Options, useExisting: Options })).toThrow(
      'exactly one',
    );
  });
});

describe('bad input fails bootstrap with a clear error', () => {
  async function bootstrap(metadata: Parameters<typeof Test.createTestingModule>[0]): Promise<unknown> {
    const moduleRef = await Test.createTestingModule(metadata).compile();
    try {
      await moduleRef.init();
      await moduleRef.close();
      return undefined;
    } catch (error) {
      await moduleRef.close().catch(() => undefined);
      return error;
    }
  }

  it('a handler decorator on a class without @GenServer', async () => {
    @Injectable()
    class NotAServer {
      @HandleCall() ping(): string {
        return 'pong';
      }
    }
    const error = await bootstrap({ imports: [GenServerModule.forRoot()], providers: [NotAServer] });
    expect((error as Error).message).toBe(
      'NotAServer.ping() has @HandleCall() but NotAServer is not decorated with @GenServer(). ' +
        'Add @GenServer() to the class, or remove the decorator.',
    );
  });

  it('two handlers with the same message name', async () => {
    @GenServer()
    class Dup {
      @HandleCall('get') a(): number {
        return 1;
      }
      @HandleCall('get') b(): number {
        return 2;
      }
    }
    const error = await bootstrap({ imports: [GenServerModule.forRoot()], providers: [Dup] });
    expect(error).toMatchObject({ code: 'INVALID_DEFINITION' });
    expect((error as Error).message).toContain(
      "Dup has two call handlers for the message 'get': a() and b()",
    );
  });

  it('two @Init methods', async () => {
    @GenServer()
    class TwoInits {
      @Init() a(): void {}
      @Init() b(): void {}
    }
    const error = await bootstrap({ imports: [GenServerModule.forRoot()], providers: [TwoInits] });
    expect((error as Error).message).toContain('TwoInits has @Init() on both a() and b()');
  });

  it('a request-scoped GenServer', async () => {
    @GenServer()
    class Scoped {}
    const error = await bootstrap({
      imports: [GenServerModule.forRoot()],
      providers: [{ provide: Scoped, useClass: Scoped, scope: Scope.REQUEST }],
    });
    expect((error as Error).message).toContain('Scoped is a GenServer but is request-scoped');
  });

  it('a transient GenServer', async () => {
    @GenServer()
    class Transient {}
    const error = await bootstrap({
      imports: [GenServerModule.forRoot()],
      providers: [{ provide: Transient, useClass: Transient, scope: Scope.TRANSIENT }],
    });
    expect((error as Error).message).toContain('Transient is a GenServer but is transient');
  });

  it('an async @Init that throws names the server and method', async () => {
    @GenServer()
    class Broken {
      @Init() async connect(): Promise<void> {
        throw new Error('ECONNREFUSED');
      }
    }
    const error = await bootstrap({ imports: [GenServerModule.forRoot()], providers: [Broken] });
    expect(error).toMatchObject({ code: 'INIT_FAILED' });
    expect((error as Error).message).toBe(
      'root > Broken failed to start: @Init connect() threw Error: ECONNREFUSED',
    );
  });

  it('injecting the GenServer class itself, which would bypass the mailbox', async () => {
    @Injectable()
    class Sneaky {
      constructor(readonly counter: Counter) {}
    }
    const error = await bootstrap({
      imports: [GenServerModule.forRoot()],
      providers: [Notifier, Counter, Sneaky],
    });
    expect((error as Error).message).toContain(
      'Sneaky injects the GenServer Counter directly (constructor parameter #0), which would bypass its mailbox. ' +
        'Inject its ref instead: @InjectServer(Counter) counter: ServerRef<Counter>',
    );
  });

  it('a ref to a server no module provides', async () => {
    const error = await bootstrap({
      imports: [GenServerModule.forRoot(), GenServerModule.forFeature([Counter])],
    });
    expect((error as Error).message).toContain(
      'ServerRef<Counter> is injected, but no module provides Counter',
    );
  });

  it('forFeature with a class that is not a GenServer', () => {
    expect(() => GenServerModule.forFeature([Notifier])).toThrow(
      'Notifier is not a GenServer, but it is listed in GenServerModule.forFeature(). Decorate the class with @GenServer().',
    );
  });

  it('the same GenServer provided by two modules', async () => {
    @Module({ providers: [Notifier, Counter] })
    class Other {}
    const error = await bootstrap({ imports: [GenServerModule.forRoot(), CounterModule, Other] });
    expect((error as Error).message).toContain('The GenServer Counter is provided by more than one module');
  });

  it('invalid @GenServer options', async () => {
    @GenServer({ callTimeout: -1 })
    class BadTimeout {}
    const error = await bootstrap({ imports: [GenServerModule.forRoot()], providers: [BadTimeout] });
    expect((error as Error).message).toContain('@GenServer() options of BadTimeout are invalid');
  });
});
