import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Module, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  Init,
  InjectDynamicSupervisor,
  InjectSelf,
  InvalidDefinitionError,
  JobNotFoundError,
  ManualClock,
  OnIdle,
  Periodic,
  PeriodicRegistry,
  SelfRef,
  Terminate,
  ServerRef,
  type DynamicSupervisorRef,
  type GenServerModuleOptions,
  type PeriodicOptions,
  type ServerInfo,
} from 'nestjs-genserver';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2026-03-05T10:17:42.123Z: an arbitrary start, off every boundary. */
const START = Date.UTC(2026, 2, 5, 10, 17, 42, 123);

/** A price feed the sync reads from; tests replace it with a mock. */
@Injectable()
class PriceFeed {
  fetch(): Promise<number> {
    return Promise.resolve(42);
  }
}

/** The reading's hourly job: on the hour, no drift, last-run data kept in its state. */
@GenServer()
class PriceSync {
  price = 0;
  syncs: string[] = [];
  reports = 0;

  constructor(
    private readonly feed: PriceFeed,
    private readonly runtime: GenServerRuntime,
  ) {}

  @Periodic('1h', { align: true })
  async sync(): Promise<void> {
    this.price = await this.feed.fetch();
    this.syncs.push(new Date(this.runtime.clock.now()).toISOString());
  }

  @Periodic({ cron: '*/10 * * * *', timeZone: 'Europe/Prague' })
  report(): void {
    this.reports++;
  }

  @HandleCall() current(): number {
    return this.price;
  }
}

async function boot(
  metadata: Parameters<typeof Test.createTestingModule>[0],
  options: GenServerModuleOptions = {},
  override?: (builder: ReturnType<typeof Test.createTestingModule>) => void,
): Promise<{ app: TestingModule; clock: ManualClock; jobs: PeriodicRegistry }> {
  const clock = new ManualClock(START);
  const builder = Test.createTestingModule({
    ...metadata,
    imports: [GenServerModule.forRoot({ clock, ...options }), ...(metadata.imports ?? [])],
  });
  override?.(builder);
  const app = await builder.compile();
  await app.init();
  return { app, clock, jobs: app.get(PeriodicRegistry) };
}

describe('@Periodic in a Nest app (manual clock)', () => {
  it('runs an aligned hourly job on the hour and a cron job in its time zone, through the mailbox', async () => {
    const { app, clock, jobs } = await boot({
      imports: [GenServerModule.forFeature([PriceSync])],
      providers: [PriceSync, PriceFeed],
    });
    await clock.advanceByAsync(3 * HOUR);
    const state = await app.get(GenServerRuntime).ref(PriceSync).getState();
    expect(state.syncs).toEqual([
      '2026-03-05T11:00:00.000Z',
      '2026-03-05T12:00:00.000Z',
      '2026-03-05T13:00:00.000Z',
    ]);
    expect(state.reports).toBe(18); // 10:20 … 13:10, every 10 minutes
    expect(jobs.get('PriceSync.sync')).toMatchObject({
      schedule: 'every 1h, aligned',
      status: 'scheduled',
      runs: 3,
      nextRunAt: Date.UTC(2026, 2, 5, 14),
      lastRunAt: Date.UTC(2026, 2, 5, 13),
    });
    expect(jobs.list().map((j) => j.name)).toEqual(['PriceSync.sync', 'PriceSync.report']);
    await app.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a mocked dependency drives the job (overrideProvider), and calls see the state it left', async () => {
    const feed = { fetch: jest.fn(() => Promise.resolve(99)) };
    const { app, clock } = await boot(
      { imports: [GenServerModule.forFeature([PriceSync])], providers: [PriceSync, PriceFeed] },
      {},
      (builder) => builder.overrideProvider(PriceFeed).useValue(feed),
    );
    const ref: ServerRef<PriceSync> = app.get(GenServerRuntime).ref(PriceSync);
    expect(await ref.call('current')).toBe(0);
    await clock.advanceByAsync(HOUR);
    expect(feed.fetch).toHaveBeenCalledTimes(1);
    expect(await ref.call('current')).toBe(99);
    await app.close();
  });

  it('takes its schedule from ConfigService through a factory at bootstrap', async () => {
    @GenServer()
    class Sweeper {
      sweeps = 0;
      @Periodic({
        useFactory: (config: ConfigService) => ({
          every: config.getOrThrow<string>('SWEEP_EVERY'),
          enabled: config.get('SWEEP_ENABLED') !== 'false',
        }),
        inject: [ConfigService],
      })
      sweep(): void {
        this.sweeps++;
      }
    }
    const config = (values: Record<string, string>) =>
      ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => values] });

    @Injectable()
    class EarlyReader {
      listed: string[] = [];
      constructor(private readonly jobs: PeriodicRegistry) {}
      onModuleInit(): void {
        this.listed = this.jobs.list().map((job) => job.name); // before bootstrap: no job yet
      }
    }
    const fast = await boot({
      imports: [config({ SWEEP_EVERY: '15m' }), GenServerModule.forFeature([Sweeper])],
      providers: [Sweeper, EarlyReader],
    });
    expect(fast.app.get(EarlyReader).listed).toEqual([]);
    await fast.clock.advanceByAsync(HOUR);
    expect(fast.jobs.get('Sweeper.sweep')).toMatchObject({ schedule: 'every 15m, fixed rate', runs: 4 });
    await fast.app.close();

    const off = await boot({
      imports: [config({ SWEEP_EVERY: '15m', SWEEP_ENABLED: 'false' })],
      providers: [Sweeper],
    });
    await off.clock.advanceByAsync(HOUR);
    expect(off.jobs.get('Sweeper.sweep')).toMatchObject({ status: 'paused', runs: 0 });
    await off.app.close();

    const error = await boot({ imports: [config({ SWEEP_EVERY: 'soon' })], providers: [Sweeper] }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect((error as Error).message).toMatch(
      /@Periodic\(\) on Sweeper\.sweep\(\) is invalid: every must be .*got "soon"/,
    );
  });

  it('PeriodicRegistry pauses, resumes and triggers by name; unknown names get a typed error', async () => {
    const { app, clock, jobs } = await boot({ providers: [PriceSync, PriceFeed] });
    jobs.pause('PriceSync.sync');
    await clock.advanceByAsync(2 * HOUR);
    expect(jobs.get('PriceSync.sync')).toMatchObject({ status: 'paused', runs: 0 });
    expect(jobs.trigger('PriceSync.sync')).toBe(true);
    await clock.settle();
    expect(jobs.get('PriceSync.sync')).toMatchObject({ runs: 1, lastRunAt: clock.now() });
    jobs.resume('PriceSync.sync');
    await clock.advanceByAsync(HOUR);
    expect(jobs.get('PriceSync.sync').runs).toBe(2);
    expect(() => jobs.get('PriceSync.nope')).toThrow(JobNotFoundError);
    expect(() => jobs.pause('Nope')).toThrow(
      /No periodic job named 'Nope'.*Known: PriceSync\.sync, PriceSync\.report/,
    );
    await app.close();
  });

  it('shows each job in the tree snapshot', async () => {
    const { app, clock } = await boot({ providers: [PriceSync, PriceFeed] });
    await clock.advanceByAsync(HOUR);
    const server = app.get(GenServerRuntime).snapshot().root.children[0] as ServerInfo;
    expect(server.handled.ticks).toBe(7); // one sync, six reports
    expect(server.periodic?.map((j) => [j.name, j.runs])).toEqual([
      ['PriceSync.sync', 1],
      ['PriceSync.report', 6],
    ]);
    await app.close();
  });

  it('a tick waits for the call being handled: ticks and calls never run at once', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    @GenServer()
    class Ledger {
      @HandleCall() async slow(): Promise<void> {
        order.push('call start');
        await new Promise<void>((resolve) => (release = resolve));
        order.push('call end');
      }
      @Periodic('1s') tick(): void {
        order.push('tick');
      }
    }
    const { app, clock } = await boot({ providers: [Ledger] });
    const done = app.get(GenServerRuntime).ref(Ledger).withTimeout(Infinity).call('slow');
    await clock.advanceByAsync(1000);
    expect(order).toEqual(['call start']);
    release();
    await done;
    await clock.settle();
    expect(order).toEqual(['call start', 'call end', 'tick']);
    await app.close();
  });

  it('a tick that throws crashes the server; the restarted instance keeps the schedule', async () => {
    let fail = true;
    @GenServer()
    class Flaky {
      static instances = 0;
      readonly id = ++Flaky.instances;
      @Periodic('1m') check(): void {
        if (fail) {
          fail = false;
          throw new Error('upstream down');
        }
      }
    }
    const { app, clock, jobs } = await boot({ providers: [Flaky] });
    await clock.advanceByAsync(3 * MINUTE);
    expect(Flaky.instances).toBe(2);
    expect(jobs.get('Flaky.check')).toMatchObject({
      runs: 3,
      failures: 1,
      status: 'scheduled',
      nextRunAt: START + 4 * MINUTE,
    });
    await app.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('shutdown', () => {
  it('app.close() cancels every timer first: nothing ticks while a slow @Terminate holds the tree', async () => {
    const ticks: string[] = [];
    let finishSaving: () => void = () => undefined;
    @GenServer()
    class First {
      @Periodic('1s') tick(): void {
        ticks.push('first');
      }
    }
    @GenServer()
    class Last {
      @InjectSelf() private readonly self!: SelfRef<Last>;
      @Init() init(): void {
        this.self.castAfter('1500ms', 'note');
      }
      @HandleCast() note(): void {
        ticks.push('note');
      }
      @Terminate() save(): Promise<void> {
        return new Promise((resolve) => (finishSaving = resolve));
      }
    }
    const { app, clock } = await boot({ providers: [First, Last] });
    const closed = app.close(); // Last stops first (reverse order) and waits in @Terminate
    await clock.settle();
    await clock.advanceByAsync(3000);
    expect(ticks).toEqual([]);
    finishSaving();
    await closed;
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('timers inside a Nest GenServer (@InjectSelf, @OnIdle)', () => {
  it('send-after to self from @Init keeps a collection loop going (the reading’s MetricsCollector)', async () => {
    @GenServer()
    class MetricsCollector {
      samples: number[] = [];
      @InjectSelf() private readonly self!: SelfRef<MetricsCollector>;
      constructor(private readonly runtime: GenServerRuntime) {}

      @Init() init(): void {
        this.self.castAfter('10s', 'collect');
      }

      @HandleCast() collect(): void {
        this.samples.push(this.runtime.clock.now() - START);
        this.self.castAfter('10s', 'collect');
      }
    }
    const { app, clock } = await boot({ providers: [MetricsCollector] });
    await clock.advanceByAsync(45_000);
    const state = await app.get(GenServerRuntime).ref(MetricsCollector).getState();
    expect(state.samples).toEqual([10_000, 20_000, 30_000, 40_000]);
    await app.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('@OnIdle refreshes a cache warmer left alone; calls keep it from firing; setIdleTimeout changes it', async () => {
    @GenServer()
    class CacheWarmer {
      warmed = 0;
      @InjectSelf() private readonly self!: SelfRef<CacheWarmer>;

      @Init() init(): void {
        this.warmed++; // warm at once on start
      }

      @OnIdle('5m') refresh(): void {
        this.warmed++;
      }

      @HandleCall() get(): number {
        return this.warmed;
      }

      @HandleCall() slowDown(): void {
        this.self.setIdleTimeout('30m');
      }
    }
    const { app, clock } = await boot({
      imports: [GenServerModule.forFeature([CacheWarmer])],
      providers: [CacheWarmer],
    });
    const warmer: ServerRef<CacheWarmer> = app.get(GenServerRuntime).ref(CacheWarmer);
    await clock.advanceByAsync(11 * MINUTE);
    expect(await warmer.call('get')).toBe(3); // start, 5 min, 10 min
    for (let i = 0; i < 5; i++) {
      await clock.advanceByAsync(4 * MINUTE);
      await warmer.call('get');
    }
    expect(await warmer.call('get')).toBe(3); // asked every 4 minutes: never idle for 5
    await warmer.call('slowDown');
    await clock.advanceByAsync(29 * MINUTE);
    expect(await warmer.call('get')).toBe(3);
    await clock.advanceByAsync(30 * MINUTE);
    expect(await warmer.call('get')).toBe(4);
    await app.close();
  });

  it('dynamic children tick on their own, are named by key, and leave no timer when terminated', async () => {
    @GenServer()
    class Game {
      id = '';
      rounds = 0;
      @Init() init(args: { id: string }): void {
        this.id = args.id;
      }
      @Periodic('30s') round(): void {
        this.rounds++;
      }
    }
    @Injectable()
    class Lobby {
      constructor(
        @InjectDynamicSupervisor(Game) readonly games: DynamicSupervisorRef<Game, { id: string }>,
      ) {}
    }
    const { app, clock, jobs } = await boot({
      imports: [GenServerModule.forDynamic(Game)],
      providers: [Lobby],
    });
    const { games } = app.get(Lobby);
    await games.startChild({ id: 'a' }, { key: 'a' });
    await clock.advanceByAsync(15_000);
    await games.startChild({ id: 'b' }, { key: 'b' });
    await clock.advanceByAsync(60_000);
    expect(jobs.get('Game[a].round').runs).toBe(2); // at 30 s and 60 s
    expect(jobs.get('Game[b].round').runs).toBe(2); // at 45 s and 75 s
    jobs.pause('Game[a].round');
    await clock.advanceByAsync(60_000);
    expect(jobs.list().map((j) => [j.name, j.runs])).toEqual([
      ['Game[a].round', 2],
      ['Game[b].round', 4],
    ]);
    await games.terminateChild('a');
    await games.terminateChild('b');
    expect(clock.pendingTimers).toBe(0);
    await app.close();
  });
});

describe('@Periodic bad input fails bootstrap naming class, method and value', () => {
  const cases: [string, PeriodicOptions | string | number, RegExp][] = [
    ['period 0', 0, /every must be longer than 0 ms, got 0/],
    ['negative period', -5, /every must be a number of ms >= 0.*got -5/],
    ['unparsable period', '10 minutes', /every must be .*got "10 minutes"/],
    ['invalid cron', { cron: '61 * * * *' }, /invalid cron expression '61 \* \* \* \*'/],
    [
      'unknown time zone',
      { cron: '0 * * * *', timeZone: 'Mars/Olympus' },
      /unknown time zone 'Mars\/Olympus'/,
    ],
    ['neither every nor cron', { runOnInit: true }, /needs every .* or cron/],
    ['every and cron', { every: '1h', cron: '0 * * * *' }, /either every or cron, not both/],
    [
      'align with fixed delay',
      { every: '1h', align: true, mode: 'fixed-delay' },
      /align: true contradicts mode 'fixed-delay'/,
    ],
    ['offset without align', { every: '1h', offset: '5m' }, /offset applies to aligned schedules only/],
    ['time zone with every', { every: '1h', timeZone: 'Europe/Prague' }, /timeZone applies to cron only/],
    [
      'catch-up with fixed delay',
      { every: '1m', mode: 'fixed-delay', catchUp: true },
      /catchUp contradicts fixed-delay/,
    ],
    [
      'jitter not shorter than the period',
      { every: '1m', jitter: '2m' },
      /jitter must be shorter than the period/,
    ],
    ['percentage jitter with cron', { cron: '0 * * * *', jitter: '10%' }, /percentage jitter needs a period/],
    ['unknown option', { every: '1m', overlapp: 'queue' } as PeriodicOptions, /unknown option 'overlapp'/],
    [
      'bad overlap',
      { every: '1m', overlap: 'wait' as 'skip' },
      /overlap must be 'skip' or 'queue', got 'wait'/,
    ],
    [
      'offset not shorter than the period',
      { every: '1h', align: true, offset: '2h' },
      /offset must be >= 0 and shorter/,
    ],
  ];

  it.each(cases)('%s', async (_case, schedule, message) => {
    @GenServer()
    class Job {
      @Periodic(schedule as PeriodicOptions) run(): void {}
    }
    const error = await boot({ providers: [Job] }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect((error as Error).message).toMatch(/^@Periodic\(\) on Job\.run\(\) is invalid: /);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses @Periodic and @OnIdle outside a @GenServer', async () => {
    @Injectable()
    class NotAServer {
      @Periodic('1m') run(): void {}
    }
    @Injectable()
    class AlsoNot {
      @OnIdle('1m') idle(): void {}
    }
    for (const provider of [NotAServer, AlsoNot] as Type<object>[]) {
      const error = await boot({ providers: [provider] }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(InvalidDefinitionError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `${provider.name}\\.\\w+\\(\\) has @(Periodic|OnIdle)\\(\\) but ${provider.name} is not decorated with @GenServer`,
        ),
      );
    }
  });

  it('refuses two jobs with one name, two @OnIdle, a bad idle timeout, and a failing factory', async () => {
    @GenServer()
    class Twice {
      @Periodic('1m') a(): void {}
      @Periodic('2m', { name: 'a' }) b(): void {}
    }
    @GenServer()
    class TwoIdle {
      @OnIdle('1m') a(): void {}
      @OnIdle('2m') b(): void {}
    }
    @GenServer()
    class BadIdle {
      @OnIdle('soon') a(): void {}
    }
    @GenServer()
    class BadFactory {
      @Periodic({
        useFactory: () => {
          throw new Error('SYNC_EVERY is not set');
        },
      })
      a(): void {}
    }
    const messages: [Type<object>, RegExp][] = [
      [Twice, /Twice has two periodic jobs named 'a' \(a\(\) and b\(\)\)/],
      [TwoIdle, /TwoIdle has @OnIdle\(\) on both a\(\) and b\(\)/],
      [BadIdle, /@OnIdle\(\) on BadIdle\.a\(\) is invalid: the timeout must be .*got "soon"/],
      [BadFactory, /@Periodic\(\) on BadFactory\.a\(\): its useFactory failed: SYNC_EVERY is not set/],
    ];
    for (const [provider, message] of messages) {
      const error = await boot({ providers: [provider] }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(InvalidDefinitionError);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('the system clock under Jest modern fake timers', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('ticks and send-after timers follow jest.advanceTimersByTimeAsync', async () => {
    jest.useFakeTimers({ now: START });
    @GenServer()
    class Heartbeat {
      beats: number[] = [];
      @Periodic('1s') beat(): void {
        this.beats.push(Date.now() - START);
      }
    }
    @Module({
      imports: [GenServerModule.forRoot(), GenServerModule.forFeature([Heartbeat])],
      providers: [Heartbeat],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    await jest.advanceTimersByTimeAsync(3500);
    const ref: ServerRef<Heartbeat> = app.get(GenServerRuntime).ref(Heartbeat);
    const state = await ref.getState();
    expect(state.beats).toEqual([1000, 2000, 3000]);
    await app.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
