import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Controller, Get, Injectable, Logger, Module, Param, Post } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  HandleInfo,
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
  type DynamicSupervisorRef,
  type PeriodicJobInfo,
  type ServerInfo,
  type ServerTimer,
} from 'nestjs-genserver';

/**
 * The examples of docs/periodic-work.md, verbatim (but for the import lines and the bodies of the
 * providers they depend on, which the tests replace), so the guide cannot drift from the API.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// ------------------------------------------------------------------ providers the examples depend on

interface PriceChanges {
  changes: { symbol: string; price: number }[];
  cursor: number;
}

@Injectable()
class PriceFeed {
  changesSince(_cursor: number): Promise<PriceChanges> {
    return Promise.reject(new Error('the tests replace PriceFeed'));
  }
}

@Injectable()
class ReportService {
  sendDaily(): Promise<void> {
    return Promise.resolve();
  }
  sendDigest(): Promise<void> {
    return Promise.resolve();
  }
}

interface Sample {
  at: number;
  heapUsed: number;
}

@Injectable()
class Probe {
  sample(): Sample {
    return { at: Date.now(), heapUsed: process.memoryUsage().heapUsed };
  }
}

interface AuditEntry {
  user: string;
  action: string;
}

@Injectable()
class AuditStore {
  insertMany(_entries: AuditEntry[]): Promise<void> {
    return Promise.resolve();
  }
}

interface Product {
  id: string;
}

@Injectable()
class Upstream {
  poll(): Promise<void> {
    return Promise.resolve();
  }
}

@Injectable()
class Catalog {
  fetchAll(): Promise<Product[]> {
    return Promise.resolve([]);
  }
}

@Injectable()
class Inventory {
  sync(): Promise<void> {
    return Promise.resolve();
  }
}

// ------------------------------------------------------------------ "Your first periodic job"

@GenServer()
class PriceSync {
  private cursor = 0; // where the last sync stopped
  private readonly prices = new Map<string, number>();

  constructor(private readonly feed: PriceFeed) {}

  @Periodic('1h', { align: true }) // at the top of every hour (UTC), however long a sync takes
  async sync(): Promise<void> {
    const { changes, cursor } = await this.feed.changesSince(this.cursor);
    for (const { symbol, price } of changes) this.prices.set(symbol, price);
    this.cursor = cursor; // no call and no other run can touch the state in between
  }

  @HandleCall()
  price(symbol: string): number | undefined {
    return this.prices.get(symbol);
  }
}

@Module({
  imports: [GenServerModule.forFeature([PriceSync])], // makes ServerRef<PriceSync> injectable here
  providers: [PriceFeed, PriceSync],
})
class PricesModule {}

// ------------------------------------------------------------------ "Cron and time zones"

@GenServer()
class Reports {
  constructor(private readonly reports: ReportService) {}

  @Periodic({ cron: '30 2 * * *', timeZone: 'Europe/Prague' }) // 02:30 in Prague, DST-aware
  async nightly(): Promise<void> {
    await this.reports.sendDaily();
  }

  @Periodic({ cron: '0 9 * * 1-5', timeZone: 'America/New_York' }) // 09:00 New York time, Mon–Fri
  async digest(): Promise<void> {
    await this.reports.sendDigest();
  }
}

// ------------------------------------------------------------------ "Schedules from configuration"

@GenServer()
class InventorySync {
  constructor(private readonly inventory: Inventory) {}

  @Periodic({
    useFactory: (config: ConfigService) => ({
      every: config.get<string>('INVENTORY_SYNC_EVERY', '15m'),
      jitter: '10%',
      enabled: config.get('INVENTORY_SYNC_ENABLED') !== 'false',
    }),
    inject: [ConfigService],
  })
  async sync(): Promise<void> {
    await this.inventory.sync();
  }
}

// ------------------------------------------------------------------ "Timers inside a server"

@GenServer()
class MetricsCollector {
  private samples: Sample[] = [];
  @InjectSelf() private readonly self!: SelfRef<MetricsCollector>;

  constructor(private readonly probe: Probe) {}

  @Init()
  init(): void {
    this.self.castAfter('10s', 'collect'); // the first collection, 10 s after start
  }

  @HandleCast()
  collect(): void {
    this.samples = [this.probe.sample(), ...this.samples].slice(0, 360); // the last hour
    this.self.castAfter('10s', 'collect'); // and the next one
  }

  @HandleCall()
  latest(): Sample | undefined {
    return this.samples[0];
  }
}

@GenServer()
class AuditBuffer {
  private entries: AuditEntry[] = [];
  private flushTimer: ServerTimer | undefined;
  @InjectSelf() private readonly self!: SelfRef<AuditBuffer>;

  constructor(private readonly store: AuditStore) {}

  @HandleCast()
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    if (this.entries.length >= 100) return this.flush(); // a full batch: write it now
    this.flushTimer ??= this.self.sendAfter('flush', '2s'); // otherwise 2 s after the first entry
  }

  @HandleInfo()
  async onInfo(message: unknown): Promise<void> {
    if (message === 'flush') await this.flush();
  }

  @Terminate()
  async terminate(): Promise<void> {
    await this.flush(); // the timer is already cancelled; write what is left
  }

  private async flush(): Promise<void> {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    const batch = this.entries;
    this.entries = [];
    if (batch.length > 0) await this.store.insertMany(batch);
  }
}

@GenServer()
class CacheWarmer {
  private products: Product[] = [];

  constructor(private readonly catalog: Catalog) {}

  @Init()
  async init(): Promise<void> {
    this.products = await this.catalog.fetchAll(); // warm at once on start
  }

  @OnIdle('5m') // no message for 5 minutes: refresh
  async refresh(): Promise<void> {
    this.products = await this.catalog.fetchAll();
  }

  @HandleCall()
  all(): Product[] {
    return this.products;
  }
}

/** The loop whose next delay depends on the run: the guide's `poll()` backs off after a failure. */
@GenServer()
class Poller {
  private delay = 1000;
  @InjectSelf() private readonly self!: SelfRef<Poller>;

  constructor(private readonly upstream: Upstream) {}

  @Init()
  init(): void {
    this.self.castAfter(this.delay, 'poll');
  }

  @HandleCast()
  async poll(): Promise<void> {
    try {
      await this.upstream.poll();
      this.delay = 1000;
    } catch {
      this.delay = Math.min(this.delay * 2, 60_000); // 2 s, 4 s, … up to a minute
    }
    this.self.castAfter(this.delay, 'poll');
  }
}

// ------------------------------------------------------------------ "Introspection and control"

@Controller('admin/jobs')
class JobsController {
  constructor(private readonly jobs: PeriodicRegistry) {}

  @Get()
  list(): PeriodicJobInfo[] {
    return this.jobs.list(); // next and last run, last duration, runs, skipped, missed, failures
  }

  @Post(':name/pause')
  pause(@Param('name') name: string): void {
    this.jobs.pause(name); // 'PriceSync.sync'; an unknown name throws JobNotFoundError
  }

  @Post(':name/resume')
  resume(@Param('name') name: string): void {
    this.jobs.resume(name);
  }

  @Post(':name/run')
  run(@Param('name') name: string): boolean {
    return this.jobs.trigger(name); // queued behind what the server's mailbox already holds
  }
}

// ------------------------------------------------------------------ helpers

async function boot(
  clock: ManualClock,
  metadata: Parameters<typeof Test.createTestingModule>[0],
): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    ...metadata,
    imports: [GenServerModule.forRoot({ clock }), ...(metadata.imports ?? [])],
  }).compile();
  return app.init();
}

const iso = (at: number | undefined): string => new Date(at as number).toISOString();

/** The guide marks the code blocks this spec pins with this comment, right above the block. */

// ------------------------------------------------------------------ the specs

describe('docs/periodic-work.md', () => {
  describe('Testing periodic work: the guide’s example, verbatim', () => {
    it('syncs on the hour, however long a sync takes', async () => {
      const clock = new ManualClock(new Date('2026-03-05T10:17:42Z'));
      const feed = {
        changesSince: jest.fn(async (cursor: number) => {
          clock.advanceBy(20 * 60_000); // each sync takes 20 minutes
          return { changes: [{ symbol: 'ACME', price: 100 + cursor }], cursor: cursor + 1 };
        }),
      };
      const moduleRef = await Test.createTestingModule({
        imports: [GenServerModule.forRoot({ clock }), PricesModule],
      })
        .overrideProvider(PriceFeed)
        .useValue(feed)
        .compile();
      const app = await moduleRef.init();

      await clock.advanceByAsync(3 * 60 * 60_000); // three hours: each tick is handled before the next
      const job = app.get(PeriodicRegistry).get('PriceSync.sync');
      expect(job).toMatchObject({ runs: 3, skipped: 0, lastDurationMs: 20 * 60_000 });
      expect(new Date(job.lastRunAt!).toISOString()).toBe('2026-03-05T13:00:00.000Z'); // 11:00, 12:00, 13:00
      await expect(app.get(GenServerRuntime).ref(PriceSync).call('price', 'ACME')).resolves.toBe(102);

      await app.close();
      expect(clock.pendingTimers).toBe(0); // a stopped server leaves no timer behind
    });
  });

  describe('Testing periodic work: Jest fake timers, verbatim', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: new Date('2026-03-05T10:17:42Z') }); // before the app is created
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('syncs on the hour (system clock, Jest fake timers)', async () => {
      const moduleRef = await Test.createTestingModule({ imports: [GenServerModule.forRoot(), PricesModule] })
        .overrideProvider(PriceFeed)
        .useValue({ changesSince: async (cursor: number) => ({ changes: [], cursor }) })
        .compile();
      const app = await moduleRef.init();

      await jest.advanceTimersByTimeAsync(3 * 60 * 60_000);
      expect(app.get(PeriodicRegistry).get('PriceSync.sync').runs).toBe(3);
      await app.close();
    });
  });

  it('The drift problem: fixed rate stays on the grid when one tick is late and runs take 30% of the period', async () => {
    @GenServer()
    class Ticker {
      runs: number[] = [];
      constructor(private readonly runtime: GenServerRuntime) {}
      @Periodic('10s') tick(): void {
        const clock = this.runtime.clock as ManualClock;
        this.runs.push(clock.now());
        clock.advanceBy(3000); // each run takes 3 s
      }
    }
    const clock = new ManualClock(0);
    const app = await boot(clock, { providers: [Ticker] });
    await clock.advanceByAsync(19_000); // run at 10 s
    clock.stall(2000); // the event loop is blocked from 19 s to 21 s: the tick due at 20 s is 1 s late
    await clock.settle();
    await clock.advanceByAsync(30_000);
    const { runs } = await app.get(GenServerRuntime).ref(Ticker).getState();
    expect(runs).toEqual([10_000, 21_000, 30_000, 40_000, 50_000]);
    await app.close();
  });

  it('Your first periodic job: PriceSync runs at the top of every hour, UTC', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 5, 10, 17, 42));
    const seen: string[] = [];
    const feed = {
      changesSince: async (cursor: number): Promise<PriceChanges> => {
        seen.push(iso(clock.now()));
        return { changes: [{ symbol: 'ACME', price: cursor }], cursor: cursor + 1 };
      },
    };
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock }), PricesModule],
    })
      .overrideProvider(PriceFeed)
      .useValue(feed)
      .compile();
    await app.init();
    expect(app.get(PeriodicRegistry).get('PriceSync.sync')).toMatchObject({
      schedule: 'every 1h, aligned',
      status: 'scheduled',
      nextRunAt: Date.UTC(2026, 2, 5, 11),
      runs: 0,
    });
    await clock.advanceByAsync(3 * HOUR);
    expect(seen).toEqual([
      '2026-03-05T11:00:00.000Z',
      '2026-03-05T12:00:00.000Z',
      '2026-03-05T13:00:00.000Z',
    ]);
    await expect(app.get(GenServerRuntime).ref(PriceSync).call('price', 'ACME')).resolves.toBe(2);
    await app.close();
  });

  it('Cron and time zones: Reports across both DST changes, and the weekday digest', async () => {
    const clock = new ManualClock(new Date('2026-03-27T12:00:00Z')); // a Friday
    const daily: string[] = [];
    const digests: string[] = [];
    const reports = {
      sendDaily: async () => void daily.push(iso(clock.now())),
      sendDigest: async () => void digests.push(iso(clock.now())),
    };
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock })],
      providers: [ReportService, Reports],
    })
      .overrideProvider(ReportService)
      .useValue(reports)
      .compile();
    await app.init();
    await clock.advanceToAsync(new Date('2026-03-31T12:00:00Z'));
    expect(daily).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST, when the gap ends
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
    // New York is on EDT (UTC−4) since 8 March; no digest on Saturday 28 or Sunday 29.
    expect(digests).toEqual(['2026-03-27T13:00:00.000Z', '2026-03-30T13:00:00.000Z']);

    daily.length = 0;
    await clock.advanceToAsync(new Date('2026-10-24T12:00:00Z'));
    daily.length = 0;
    await clock.advanceToAsync(new Date('2026-10-26T12:00:00Z'));
    expect(daily).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; the repeated 02:30 CET an hour later does not run
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
    expect(
      app
        .get(PeriodicRegistry)
        .list()
        .map((job) => [job.name, job.schedule]),
    ).toEqual([
      ['Reports.nightly', "cron '30 2 * * *' (Europe/Prague)"],
      ['Reports.digest', "cron '0 9 * * 1-5' (America/New_York)"],
    ]);
    await app.close();
  });

  it("Cron and time zones: '0 * * * *' runs at every real hour: 23 on the spring-forward day, 25 on the fall-back day", async () => {
    @GenServer()
    class Hourly {
      runs: number[] = [];
      constructor(private readonly runtime: GenServerRuntime) {}
      @Periodic({ cron: '0 * * * *', timeZone: 'Europe/Prague' }) tick(): void {
        this.runs.push(this.runtime.clock.now());
      }
    }
    const hoursOf = async (midnight: number, nextMidnight: number): Promise<number[]> => {
      const clock = new ManualClock(midnight - 1);
      const app = await boot(clock, { providers: [Hourly] });
      await clock.advanceToAsync(nextMidnight - 1);
      const { runs } = await app.get(GenServerRuntime).ref(Hourly).getState();
      await app.close();
      return runs;
    };
    // 29 March 00:00 CET to 30 March 00:00 CEST, and 25 October 00:00 CEST to 26 October 00:00 CET.
    const spring = Date.UTC(2026, 2, 28, 23);
    expect(await hoursOf(spring, Date.UTC(2026, 2, 29, 22))).toEqual(
      Array.from({ length: 23 }, (_, i) => spring + i * HOUR),
    );
    const fall = Date.UTC(2026, 9, 24, 22);
    expect(await hoursOf(fall, Date.UTC(2026, 9, 25, 23))).toEqual(
      Array.from({ length: 25 }, (_, i) => fall + i * HOUR),
    );
  });

  it('Overlap and stalls: a slow run skips the ticks it overlaps; a stall runs one tick and counts the rest', async () => {
    let finish: () => void = () => undefined;
    @GenServer()
    class Slow {
      @Periodic('1m') async poll(): Promise<void> {
        await new Promise<void>((resolve) => (finish = resolve));
      }
    }
    @GenServer()
    class Steady {
      @Periodic('1m') poll(): void {}
      @Periodic('1m', { catchUp: true }) every(): void {}
    }
    const clock = new ManualClock(0);
    const app = await boot(clock, { providers: [Slow, Steady] });
    const jobs = app.get(PeriodicRegistry);
    await clock.advanceByAsync(3.5 * MINUTE); // Slow: run at 1 min, ticks at 2 and 3 min skipped
    expect(jobs.get('Slow.poll')).toMatchObject({ runs: 1, skipped: 2, running: true });
    finish();
    await clock.settle();
    clock.stall(5 * MINUTE); // 3.5 → 8.5 min: ticks at 4 … 8 min fall inside
    await clock.settle();
    expect(jobs.get('Steady.poll')).toMatchObject({ runs: 4, missed: 4 });
    expect(jobs.get('Steady.every')).toMatchObject({ runs: 8, missed: 0 });
    expect(jobs.get('Slow.poll')).toMatchObject({ runs: 2, skipped: 2, missed: 4 });
    finish();
    await app.close();
  });

  it('Overlap and stalls: a tick that throws restarts the server; the job keeps its grid and runOnInit runs again', async () => {
    let fail = false;
    @GenServer()
    class Flaky {
      static instances = 0;
      constructor() {
        Flaky.instances++;
      }
      @Periodic('1m', { runOnInit: true }) check(): void {
        if (fail) {
          fail = false;
          throw new Error('upstream down');
        }
      }
    }
    const clock = new ManualClock(0);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const app = await boot(clock, { providers: [Flaky] });
    await clock.advanceByAsync(30_000);
    fail = true;
    await clock.advanceByAsync(MINUTE); // the 1 min tick throws: restarted, runOnInit runs at once
    expect(Flaky.instances).toBe(2);
    expect(app.get(PeriodicRegistry).get('Flaky.check')).toMatchObject({
      runs: 3,
      failures: 1,
      nextRunAt: 2 * MINUTE, // still on the grid of the first start
    });
    await app.close();
    error.mockRestore();
  });

  it('Schedules from configuration: InventorySync reads its period at bootstrap; bad values fail it', async () => {
    const config = (values: Record<string, string>) =>
      ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => values] });
    const inventory = { sync: jest.fn(async () => undefined) };
    const start = async (values: Record<string, string>) => {
      const clock = new ManualClock(0);
      const app = await Test.createTestingModule({
        imports: [GenServerModule.forRoot({ clock }), config(values)],
        providers: [Inventory, InventorySync],
      })
        .overrideProvider(Inventory)
        .useValue(inventory)
        .compile();
      await app.init();
      return { app, clock, jobs: app.get(PeriodicRegistry) };
    };

    const fast = await start({ INVENTORY_SYNC_EVERY: '5m' });
    await fast.clock.advanceByAsync(HOUR);
    const info = fast.jobs.get('InventorySync.sync');
    expect(info).toMatchObject({ schedule: 'every 5m, fixed rate', status: 'scheduled' });
    expect(info.runs).toBeGreaterThanOrEqual(11); // jitter delays the 12th by up to 30 s
    await fast.app.close();

    const byDefault = await start({});
    expect(byDefault.jobs.get('InventorySync.sync').schedule).toBe('every 15m, fixed rate');
    await byDefault.app.close();

    const off = await start({ INVENTORY_SYNC_EVERY: '5m', INVENTORY_SYNC_ENABLED: 'false' });
    await off.clock.advanceByAsync(HOUR);
    expect(off.jobs.get('InventorySync.sync')).toMatchObject({ status: 'paused', runs: 0 });
    await off.app.close();

    const error = await start({ INVENTORY_SYNC_EVERY: '15 minutes' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect((error as Error).message).toMatch(
      /^@Periodic\(\) on InventorySync\.sync\(\) is invalid: every must be .*got "15 minutes"/,
    );
  });

  it('Timers inside a server: MetricsCollector collects every 10 s from @Init on', async () => {
    const clock = new ManualClock(0);
    let heap = 0;
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock })],
      providers: [Probe, MetricsCollector],
    })
      .overrideProvider(Probe)
      .useValue({ sample: () => ({ at: clock.now(), heapUsed: ++heap }) })
      .compile();
    await app.init();
    const collector = app.get(GenServerRuntime).ref(MetricsCollector);
    await clock.advanceByAsync(45_000);
    await expect(collector.call('latest')).resolves.toEqual({ at: 40_000, heapUsed: 4 });
    expect(clock.nextTimerAt).toBe(50_000);
    await app.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('Timers inside a server: AuditBuffer writes 2 s after the first entry, at once when full, and on stop', async () => {
    const clock = new ManualClock(0);
    const batches: number[][] = [];
    const store = {
      insertMany: async (entries: AuditEntry[]) => void batches.push([clock.now(), entries.length]),
    };
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock })],
      providers: [AuditStore, AuditBuffer],
    })
      .overrideProvider(AuditStore)
      .useValue(store)
      .compile();
    await app.init();
    const audit = app.get(GenServerRuntime).ref(AuditBuffer);
    audit.cast('record', { user: 'ann', action: 'login' });
    await clock.advanceByAsync(1000);
    audit.cast('record', { user: 'bob', action: 'login' });
    await clock.advanceByAsync(5000);
    expect(batches).toEqual([[2000, 2]]);

    for (let i = 0; i < 100; i++) audit.cast('record', { user: 'bot', action: `hit ${i}` });
    await clock.settle();
    expect(batches).toEqual([
      [2000, 2],
      [6000, 100],
    ]);
    expect(clock.pendingTimers).toBe(0); // the full batch cancelled the pending flush

    audit.cast('record', { user: 'cid', action: 'logout' });
    await clock.settle();
    await app.close();
    expect(batches).toEqual([
      [2000, 2],
      [6000, 100],
      [6000, 1],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('Timers inside a server: poll() backs off 2 s, 4 s … up to a minute after failures, and polls every second again after a success', async () => {
    const clock = new ManualClock(0);
    let up = false;
    const polls: number[] = [];
    const upstream = {
      poll: async () => {
        polls.push(clock.now());
        if (!up) throw new Error('503 Service Unavailable');
      },
    };
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock })],
      providers: [Upstream, Poller],
    })
      .overrideProvider(Upstream)
      .useValue(upstream)
      .compile();
    await app.init();
    await clock.advanceByAsync(4 * MINUTE);
    // The first poll 1 s after start; then 2, 4, 8, 16, 32 s after each failure, and 60 s from then on.
    expect(polls).toEqual([1000, 3000, 7000, 15_000, 31_000, 63_000, 123_000, 183_000]);

    up = true;
    await clock.advanceByAsync(5000); // the poll at 243 s succeeds: back to every second
    expect(polls.slice(8)).toEqual([243_000, 244_000, 245_000]);
    await app.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('Timers inside a server: CacheWarmer refreshes when left alone; frequent calls keep @OnIdle from firing', async () => {
    const clock = new ManualClock(0);
    const catalog = { fetchAll: jest.fn(async () => [{ id: 'p1' }]) };
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock })],
      providers: [Catalog, CacheWarmer],
    })
      .overrideProvider(Catalog)
      .useValue(catalog)
      .compile();
    await app.init();
    const warmer = app.get(GenServerRuntime).ref(CacheWarmer);
    expect(catalog.fetchAll).toHaveBeenCalledTimes(1); // @Init
    await clock.advanceByAsync(11 * MINUTE);
    expect(catalog.fetchAll).toHaveBeenCalledTimes(3); // and at 5 and 10 minutes: its own run re-arms it
    await warmer.call('all');
    for (let i = 0; i < 10; i++) {
      await clock.advanceByAsync(4 * MINUTE);
      await expect(warmer.call('all')).resolves.toEqual([{ id: 'p1' }]);
    }
    expect(catalog.fetchAll).toHaveBeenCalledTimes(3); // asked every 4 minutes: never idle for 5
    await app.close();
  });

  it('@OnIdle gotcha: a @Periodic tick is a message too, so it re-arms the idle timeout', async () => {
    @GenServer()
    class Busy {
      idle = 0;
      @Periodic('1m') tick(): void {}
      @OnIdle('5m') quiet(): void {
        this.idle++;
      }
    }
    const clock = new ManualClock(0);
    const app = await boot(clock, { providers: [Busy] });
    await clock.advanceByAsync(HOUR);
    expect((await app.get(GenServerRuntime).ref(Busy).getState()).idle).toBe(0);
    await app.close();
  });

  it('@OnIdle vs forDynamic idleTimeout: ticks do not keep a child nobody talks to from being evicted', async () => {
    @GenServer()
    class Game {
      @Periodic('1m') round(): void {}
      @HandleCall() ping(): boolean {
        return true;
      }
    }
    @GenServer()
    class Quiet {
      @HandleCall() ping(): boolean {
        return true;
      }
    }
    @Injectable()
    class Lobby {
      constructor(
        @InjectDynamicSupervisor(Game) readonly games: DynamicSupervisorRef<Game>,
        @InjectDynamicSupervisor(Quiet) readonly quiet: DynamicSupervisorRef<Quiet>,
      ) {}
    }
    const clock = new ManualClock(0);
    const app = await boot(clock, {
      imports: [
        GenServerModule.forDynamic(Game, { idleTimeout: 30 * MINUTE }),
        GenServerModule.forDynamic(Quiet, { idleTimeout: 30 * MINUTE }),
      ],
      providers: [Lobby],
    });
    const { games, quiet } = app.get(Lobby);
    await games.startChild(undefined, { key: 'g1' });
    await quiet.startChild(undefined, { key: 'q1' });
    await clock.advanceByAsync(20 * MINUTE);
    await games.lookup('g1')?.call('ping'); // someone plays: the eviction clock starts over
    await clock.advanceByAsync(20 * MINUTE);
    expect(games.countChildren()).toEqual({ total: 1, running: 1 });
    expect(quiet.countChildren()).toEqual({ total: 0, running: 0 }); // evicted after 30 minutes
    await clock.advanceByAsync(20 * MINUTE);
    expect(games.countChildren()).toEqual({ total: 0, running: 0 }); // ticked every minute, evicted anyway
    await app.close();
  });

  it('Introspection and control: JobsController and the tree snapshot', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 5, 10, 17, 42));
    const feed = { changesSince: async (cursor: number) => ({ changes: [], cursor }) };
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock }), PricesModule],
      controllers: [JobsController],
    })
      .overrideProvider(PriceFeed)
      .useValue(feed)
      .compile();
    await app.init();
    const admin = app.get(JobsController);
    await clock.advanceByAsync(HOUR);
    expect(admin.list()).toEqual([
      {
        name: 'PriceSync.sync',
        schedule: 'every 1h, aligned',
        status: 'scheduled',
        nextRunAt: Date.UTC(2026, 2, 5, 12),
        lastRunAt: Date.UTC(2026, 2, 5, 11),
        lastDurationMs: 0,
        runs: 1,
        skipped: 0,
        missed: 0,
        failures: 0,
        running: false,
      },
    ]);

    admin.pause('PriceSync.sync');
    await clock.advanceByAsync(2 * HOUR);
    expect(admin.list()[0]).toMatchObject({ status: 'paused', runs: 1 });
    expect(admin.list()[0].nextRunAt).toBeUndefined();
    expect(admin.run('PriceSync.sync')).toBe(true); // runs even while paused
    await clock.settle();
    expect(admin.list()[0]).toMatchObject({ runs: 2, lastRunAt: clock.now() });
    admin.resume('PriceSync.sync');
    expect(admin.list()[0]).toMatchObject({ status: 'scheduled', nextRunAt: Date.UTC(2026, 2, 5, 14) });
    expect(() => admin.pause('PriceSync.nope')).toThrow(JobNotFoundError);

    const server = app.get(GenServerRuntime).snapshot().root.children[0] as ServerInfo;
    expect(server.handled.ticks).toBe(2);
    expect(server.periodic?.map((job) => [job.name, job.runs])).toEqual([['PriceSync.sync', 2]]);
    await app.close();
    expect(admin.list()[0].status).toBe('stopped');
  });
});
