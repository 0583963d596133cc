import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
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
  InjectSelf,
  InjectTaskSupervisor,
  OnIdle,
  Periodic,
  PeriodicRegistry,
  SelfRef,
  ServerRef,
  TaskSupervisorRef,
  type GenServerModuleOptions,
} from 'nestjs-genserver';

/**
 * The real-clock mode (no `clock` option: the system clock, `Date.now()` and `setTimeout`) under Jest's
 * modern fake timers, for suites that already use them: `jest.useFakeTimers()` with nothing left unfaked,
 * and `await jest.advanceTimersByTimeAsync(ms)` to move time. No real waiting anywhere.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** 2026-03-05T10:17:42.123Z: an arbitrary start, off every boundary. */
const START = Date.UTC(2026, 2, 5, 10, 17, 42, 123);

const iso = (ms: number): string => new Date(ms).toISOString();

let app: TestingModule | undefined;

beforeEach(() => {
  jest.useFakeTimers({ now: START });
  // Crashes and failed tasks are logged at error level; keep the output quiet.
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});

afterEach(async () => {
  // A test that failed half-way leaves its app open: close it while the fake clock still drives it.
  if (app !== undefined) {
    const closing = app.close();
    app = undefined;
    await jest.advanceTimersByTimeAsync(HOUR);
    await closing;
  }
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** Boots a Nest app on the default (system) clock: no `clock` option. */
async function boot(
  providers: Parameters<typeof Test.createTestingModule>[0]['providers'],
  options: GenServerModuleOptions = {},
): Promise<TestingModule> {
  const module = await Test.createTestingModule({
    imports: [GenServerModule.forRoot(options)],
    providers,
  }).compile();
  app = await module.init();
  return app;
}

/** Closes the app and checks it left no fake timer behind. */
async function close(): Promise<void> {
  const closing = app;
  app = undefined;
  await closing?.close();
  expect(jest.getTimerCount()).toBe(0);
}

describe('@Periodic on the system clock under jest fake timers', () => {
  it('an aligned hourly job runs on the hour, 24 times in 24 h, without drift', async () => {
    @GenServer()
    class PriceSync {
      readonly syncs: string[] = [];
      @Periodic('1h', { align: true })
      async sync(): Promise<void> {
        await Promise.resolve(); // async work inside the run is awaited before the next timer
        this.syncs.push(iso(Date.now()));
      }
    }
    await boot([PriceSync]);
    const sync: ServerRef<PriceSync> = app!.get(GenServerRuntime).ref(PriceSync);

    await jest.advanceTimersByTimeAsync(Date.UTC(2026, 2, 5, 11) - START - 1); // 10:59:59.999
    expect((await sync.getState()).syncs).toEqual([]);

    await jest.advanceTimersByTimeAsync(1); // 11:00
    expect((await sync.getState()).syncs).toEqual(['2026-03-05T11:00:00.000Z']);

    await jest.advanceTimersByTimeAsync(24 * HOUR - 1); // until 10:59:59.999 the next day
    const syncs = (await sync.getState()).syncs;
    expect(syncs).toHaveLength(24);
    expect(syncs).toEqual(Array.from({ length: 24 }, (_, i) => iso(Date.UTC(2026, 2, 5, 11 + i))));
    expect(app!.get(PeriodicRegistry).get('PriceSync.sync')).toMatchObject({
      runs: 24,
      missed: 0,
      nextRunAt: Date.UTC(2026, 2, 6, 11),
    });
    await close();
  });

  it('a fixed-delay job counts its period from the end of each run, even when the run waits on a fake timer', async () => {
    @GenServer()
    class Drainer {
      readonly drains: number[] = [];
      /** Each run takes 10 s (a fake timer too), so the next one starts 1 min 10 s after the last. */
      @Periodic('1m', { mode: 'fixed-delay' })
      async drain(): Promise<void> {
        this.drains.push(Date.now() - START);
        await new Promise((resolve) => setTimeout(resolve, 10 * SECOND));
      }
    }
    await boot([Drainer]);
    const drainer: ServerRef<Drainer> = app!.get(GenServerRuntime).ref(Drainer);

    await jest.advanceTimersByTimeAsync(MINUTE - 1);
    expect((await drainer.getState()).drains).toEqual([]);
    await jest.advanceTimersByTimeAsync(4 * MINUTE);
    expect((await drainer.getState()).drains).toEqual([60_000, 130_000, 200_000, 270_000]);
    await close();
  });

  it('a cron job fires at every multiple of 10 minutes', async () => {
    @GenServer()
    class Reporter {
      readonly reports: string[] = [];
      @Periodic({ cron: '*/10 * * * *', timeZone: 'UTC' })
      report(): void {
        this.reports.push(iso(Date.now()));
      }
    }
    await boot([Reporter]);
    const reporter: ServerRef<Reporter> = app!.get(GenServerRuntime).ref(Reporter);

    await jest.advanceTimersByTimeAsync(Date.UTC(2026, 2, 5, 10, 20) - START - 1);
    expect((await reporter.getState()).reports).toEqual([]);
    await jest.advanceTimersByTimeAsync(HOUR);
    expect((await reporter.getState()).reports).toEqual([
      '2026-03-05T10:20:00.000Z',
      '2026-03-05T10:30:00.000Z',
      '2026-03-05T10:40:00.000Z',
      '2026-03-05T10:50:00.000Z',
      '2026-03-05T11:00:00.000Z',
      '2026-03-05T11:10:00.000Z',
    ]);
    await close();
  });

  it('the sync advanceTimersByTime() does not wait for the runs: 24 ticks, one run at the end, 23 skipped', async () => {
    @GenServer()
    class PriceSync {
      readonly syncs: string[] = [];
      @Periodic('1h', { align: true })
      sync(): void {
        this.syncs.push(iso(Date.now()));
      }
    }
    await boot([PriceSync]);
    jest.advanceTimersByTime(24 * HOUR); // every tick fires before any handler can run
    const sync: ServerRef<PriceSync> = app!.get(GenServerRuntime).ref(PriceSync);
    expect((await sync.getState()).syncs).toEqual(['2026-03-06T10:17:42.123Z']);
    expect(app!.get(PeriodicRegistry).get('PriceSync.sync')).toMatchObject({ runs: 1, skipped: 23 });
    await close();
  });
});

describe('server timers on the system clock under jest fake timers', () => {
  it('a call whose handler never settles rejects with CallTimeoutError once its timeout has passed', async () => {
    @GenServer({ callTimeout: 2000 })
    class Stuck {
      @HandleCall() hang(): Promise<never> {
        return new Promise<never>(() => undefined);
      }
      @HandleCall() ping(): string {
        return 'pong';
      }
    }
    await boot([Stuck], { shutdownTimeout: 3000 });
    const stuck: ServerRef<Stuck> = app!.get(GenServerRuntime).ref(Stuck);
    expect(await stuck.call('ping')).toBe('pong'); // calls and replies need no timer advance

    let outcome: unknown = 'pending';
    const hung = stuck.call('hang').catch((error: unknown) => (outcome = error));
    await jest.advanceTimersByTimeAsync(1999);
    expect(outcome).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    await hung;
    expect(outcome).toBeInstanceOf(CallTimeoutError);

    // The handler still runs (as in OTP): close() waits for it up to shutdownTimeout, on the fake clock.
    let closed = false;
    const closing = app!.close().then(() => (closed = true));
    app = undefined;
    await jest.advanceTimersByTimeAsync(2999);
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect(closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('self.sendAfter delivers after the delay, not before', async () => {
    @GenServer()
    class Reminder {
      readonly received: { message: unknown; at: number }[] = [];
      @InjectSelf() private readonly self!: SelfRef<Reminder>;

      @HandleCast() remindIn(delayMs: number): void {
        this.self.sendAfter({ remind: delayMs }, delayMs);
      }

      @HandleInfo() onInfo(message: unknown): void {
        this.received.push({ message, at: Date.now() - START });
      }
    }
    await boot([Reminder]);
    const reminder: ServerRef<Reminder> = app!.get(GenServerRuntime).ref(Reminder);
    reminder.cast('remindIn', 30 * SECOND);

    await jest.advanceTimersByTimeAsync(30 * SECOND - 1);
    expect((await reminder.getState()).received).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect((await reminder.getState()).received).toEqual([{ message: { remind: 30_000 }, at: 30_000 }]);
    await close();
  });

  it('@OnIdle fires after the idle period; a message in between starts the period again', async () => {
    const refreshes: number[] = []; // read from outside: a getState() call would be a message too
    @GenServer()
    class CacheWarmer {
      @OnIdle('5m') refresh(): void {
        refreshes.push(Date.now() - START);
      }
      @HandleCast() touch(): void {}
    }
    await boot([CacheWarmer]);
    const warmer: ServerRef<CacheWarmer> = app!.get(GenServerRuntime).ref(CacheWarmer);

    await jest.advanceTimersByTimeAsync(4 * MINUTE);
    warmer.cast('touch'); // idle since 4 min: the refresh moves to 9 min
    await jest.advanceTimersByTimeAsync(5 * MINUTE - 1);
    expect(refreshes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(refreshes).toEqual([9 * MINUTE]);
    await jest.advanceTimersByTimeAsync(5 * MINUTE);
    expect(refreshes).toEqual([9 * MINUTE, 14 * MINUTE]);
    await close();
  });
});

describe('restarts and retries on the system clock under jest fake timers', () => {
  it('a crashed server is restarted after the supervisor backoff has been advanced, not before', async () => {
    @GenServer()
    class Fragile {
      static starts: number[] = [];
      @Init() init(): void {
        Fragile.starts.push(Date.now() - START);
      }
      @HandleCall() explode(): never {
        throw new Error('boom');
      }
      @HandleCall() ping(): string {
        return 'pong';
      }
    }
    await boot([Fragile], { backoff: { minMs: 1000, maxMs: 8000 } });
    const fragile: ServerRef<Fragile> = app!.get(GenServerRuntime).ref(Fragile);
    expect(Fragile.starts).toEqual([0]);

    await jest.advanceTimersByTimeAsync(10 * SECOND); // runs 10 s, then crashes
    await expect(fragile.call('explode')).rejects.toThrow('boom');
    let answer: unknown = 'pending';
    const pinged = fragile.call('ping').then((reply) => (answer = reply)); // waits for the new instance

    await jest.advanceTimersByTimeAsync(999);
    expect(fragile.info().status).toBe('restarting');
    expect(Fragile.starts).toEqual([0]);
    expect(answer).toBe('pending');

    await jest.advanceTimersByTimeAsync(1);
    await pinged;
    expect(answer).toBe('pong');
    expect(fragile.info().status).toBe('running');
    expect(Fragile.starts).toEqual([0, 11_000]);
    await close();
  });

  it('a transient task from the default task supervisor is retried after its backoff', async () => {
    const attempts: number[] = [];
    @Injectable()
    class Signup {
      constructor(@InjectTaskSupervisor() readonly tasks: TaskSupervisorRef) {}
      welcome(): void {
        this.tasks.start(
          () => {
            attempts.push(Date.now() - START);
            return attempts.length < 3 ? Promise.reject(new Error('mail server down')) : Promise.resolve();
          },
          { name: 'welcome', restart: 'transient', backoff: { minMs: 1000, maxMs: 30_000 } },
        );
      }
    }
    await boot([Signup]);
    app!.get(Signup).welcome();

    await jest.advanceTimersByTimeAsync(999);
    expect(attempts).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([0, 1000]);
    await jest.advanceTimersByTimeAsync(1999);
    expect(attempts).toEqual([0, 1000]);
    await jest.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([0, 1000, 3000]); // 1 s, then 2 s
    await jest.advanceTimersByTimeAsync(HOUR);
    expect(attempts).toHaveLength(3); // the third attempt succeeded
    await close();
  });
});

describe('with everything faked (no doNotFake): bursts, bootstrap, the SIGTERM check', () => {
  it('a burst of several scheduler slices drains, and a call behind it is answered, without advancing time', async () => {
    @GenServer()
    class Counter {
      count = 0;
      @HandleCast() add(): void {
        this.count++;
      }
      @HandleCall() get(): number {
        return this.count;
      }
    }
    await boot([Counter]);
    const counter: ServerRef<Counter> = app!.get(GenServerRuntime).ref(Counter);
    for (let i = 0; i < 5000; i++) counter.cast('add'); // the scheduler yields to the event loop every 1024
    expect(await counter.call('get')).toBe(5000);
    expect(Date.now()).toBe(START);
    await close();
  });

  it('app.init() waits for an @Init that waits on a fake timer: advance while it is pending', async () => {
    @GenServer()
    class Warm {
      warmedAt = 0;
      @Init() async init(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 2 * SECOND));
        this.warmedAt = Date.now() - START;
      }
    }
    const module = await Test.createTestingModule({
      imports: [GenServerModule.forRoot()],
      providers: [Warm],
    }).compile();
    let ready = false;
    const init = module.init().then(() => (ready = true));
    await jest.advanceTimersByTimeAsync(2 * SECOND - 1);
    expect(ready).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await init;
    app = module;
    expect((await app.get(GenServerRuntime).ref(Warm).getState()).warmedAt).toBe(2000);
    await close();
  });

  it("rootGiveUp: 'shutdown' checks for SIGTERM listeners one real turn later and leaves no fake timer", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await boot([], { rootGiveUp: 'shutdown' });
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(0); // one real event-loop turn
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('nothing listens for SIGTERM'));
    await close();
  });
});

describe('app.close() under jest fake timers', () => {
  it('cancels every pending timer (tick, send-after, idle, call deadline, backoff, task retry) and does not hang', async () => {
    let release!: () => void;
    @GenServer()
    class Busy {
      @InjectSelf() private readonly self!: SelfRef<Busy>;
      @Init() init(): void {
        this.self.sendAfter('later', HOUR);
      }
      @Periodic('1m') tick(): void {}
      @OnIdle('5m') idle(): void {}
      @HandleInfo() info(): void {}
      /** Answers once the test releases it: the call outlives its run, so it gets a deadline timer. */
      @HandleCall() hold(): Promise<string> {
        return new Promise((resolve) => (release = () => resolve('done')));
      }
    }
    @GenServer()
    class Crasher {
      @HandleCall() explode(): never {
        throw new Error('boom');
      }
    }
    @Injectable()
    class Retrier {
      constructor(@InjectTaskSupervisor() readonly tasks: TaskSupervisorRef) {}
    }
    await boot([Busy, Crasher, Retrier], { backoff: { minMs: MINUTE, maxMs: MINUTE } });
    const runtime = app!.get(GenServerRuntime);
    await expect(runtime.ref(Crasher).call('explode')).rejects.toThrow('boom'); // restarts in 1 min
    const task = app!.get(Retrier).tasks.start(() => Promise.reject(new Error('down')), {
      restart: 'transient',
      backoff: { minMs: MINUTE, maxMs: MINUTE },
    });
    await jest.advanceTimersByTimeAsync(10 * SECOND);
    expect(runtime.ref(Crasher).info().status).toBe('restarting');
    expect(task.status).toBe('retrying');
    const held = runtime.ref(Busy).call('hold');
    await jest.advanceTimersByTimeAsync(0);
    release();
    expect(await held).toBe('done'); // answered; its deadline timer stays armed for the next calls
    expect(jest.getTimerCount()).toBe(6);

    await close(); // would hang if it waited for a fake timer; checks that none is left
    expect(task.status).toBe('cancelled');
  });
});

/** The example of the "Jest fake timers" docs section, verbatim: keep the two in step. */
describe('docs example', () => {
  @GenServer()
  class HourlySync {
    readonly syncs: string[] = [];
    @Periodic('1h', { align: true }) sync(): void {
      this.syncs.push(new Date().toISOString()); // Date is faked too
    }
  }
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-05T10:17:42.123Z') }));
  afterEach(() => jest.useRealTimers());

  it('syncs on the hour, 24 times a day', async () => {
    const module = Test.createTestingModule({
      imports: [GenServerModule.forRoot()],
      providers: [HourlySync],
    });
    const app = await (await module.compile()).init(); // no clock option: the system clock
    await jest.advanceTimersByTimeAsync(24 * 60 * 60 * 1000);
    const { syncs } = await app.get(GenServerRuntime).ref(HourlySync).getState();
    expect(syncs).toHaveLength(24);
    expect([syncs[0], syncs[23]]).toEqual(['2026-03-05T11:00:00.000Z', '2026-03-06T10:00:00.000Z']);
    await app.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
