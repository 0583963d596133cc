import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Agent,
  type DeferredReply,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  InjectAgent,
  InjectSelf,
  InjectTaskSupervisor,
  ManualClock,
  Periodic,
  type SelfRef,
  type ServerRef,
  TaskSupervisor,
  type TaskSupervisorInfo,
  type TaskSupervisorRef,
  defineAgent,
  provideAgent,
} from 'nestjs-genserver';

/**
 * The examples of docs/tasks-and-agents.md, verbatim (but for their import lines and the bodies of the
 * providers they depend on, which the tests replace), so the guide cannot drift from the API.
 */

// ------------------------------------------------------------------ providers the examples depend on

interface User {
  id: string;
}
interface Report {
  day: string;
}
interface Order {
  total: number;
}

@Injectable()
class Crm {
  createUser(_user: User, _signal: AbortSignal): Promise<void> {
    return Promise.resolve();
  }
}
@Injectable()
class Fulfillment {
  assignNearest(_user: User, _signal: AbortSignal): Promise<void> {
    return Promise.resolve();
  }
}
@Injectable()
class Mailer {
  welcome(_user: User): Promise<void> {
    return Promise.resolve();
  }
}
@Injectable()
class ReportService {
  build(_signal: AbortSignal): Promise<Report> {
    return Promise.resolve({ day: 'today' });
  }
}
@Injectable()
class QuoteFeed {
  fetch(_symbol: string, _signal: AbortSignal): Promise<number> {
    return Promise.resolve(0);
  }
}
@Injectable()
class Pricing {
  quote(order: Order, _signal: AbortSignal): Promise<number> {
    return Promise.resolve(order.total * 1.2);
  }
}
@Injectable()
class UserSync {
  user(id: string, _signal: AbortSignal): Promise<void> {
    return id.startsWith('bad') ? Promise.reject(new Error(`cannot sync ${id}`)) : Promise.resolve();
  }
}

// ------------------------------------------------------------------ the guide's examples

@Injectable()
export class AccountSetup {
  constructor(
    @InjectTaskSupervisor('account-setup') private readonly setup: TaskSupervisorRef,
    @InjectTaskSupervisor() private readonly tasks: TaskSupervisorRef, // the default one
    private readonly crm: Crm,
    private readonly fulfillment: Fulfillment,
    private readonly mailer: Mailer,
  ) {}

  /** Called once the user is saved: the request returns at once, the setup goes on in the background. */
  afterSignUp(user: User): void {
    // up to 5 retries a minute, waiting 1 s, 2 s, 4 s, ... between them
    const retried = {
      restart: 'transient',
      maxRestarts: 5,
      withinMs: 60_000,
      backoff: { minMs: 1000, maxMs: 30_000 },
    } as const;
    this.setup.start((signal) => this.crm.createUser(user, signal), { name: 'crm', ...retried });
    this.setup.start((signal) => this.fulfillment.assignNearest(user, signal), {
      name: 'fulfillment',
      ...retried,
    });
    this.tasks.start(() => this.mailer.welcome(user), { name: 'welcome-email' }); // fine to lose
  }
}

@Module({
  imports: [GenServerModule.forTaskSupervisor('account-setup', { shutdownTimeout: 30_000 })],
  providers: [AccountSetup, Crm, Fulfillment, Mailer],
})
export class AccountsModule {}

@GenServer()
export class NightlyReport {
  @InjectSelf() private readonly self!: SelfRef<NightlyReport>;
  private lastReport: Report | undefined;

  constructor(private readonly reports: ReportService) {}

  @Periodic({ cron: '0 2 * * *', timeZone: 'Europe/Prague', runAs: 'task' })
  async build(signal: AbortSignal): Promise<void> {
    const report = await this.reports.build(signal); // minutes; the server keeps answering meanwhile
    this.self.cast('store', report); // hand the result to the mailbox
  }

  @HandleCast() store(report: Report): void {
    this.lastReport = report;
  }

  @HandleCall() latest(): Report | undefined {
    return this.lastReport;
  }
}

@GenServer()
export class Quotes {
  @InjectSelf() private readonly self!: SelfRef<Quotes>;
  private readonly cache = new Map<string, number>();

  constructor(
    @InjectTaskSupervisor() private readonly tasks: TaskSupervisorRef,
    private readonly feed: QuoteFeed,
  ) {}

  @HandleCall() quote(symbol: string): number | DeferredReply<number> {
    const cached = this.cache.get(symbol);
    if (cached !== undefined) return cached;
    const reply = this.self.deferReply<number>();
    this.tasks.start(
      async (signal) => {
        const price = await this.feed.fetch(symbol, signal);
        this.self.cast('remember', symbol, price); // state changes go through the mailbox
        reply.reply(price);
      },
      { name: `quote ${symbol}` },
    );
    return reply; // the server is free for the next message
  }

  @HandleCast() remember(symbol: string, price: number): void {
    this.cache.set(symbol, price);
  }
}

export const PageViews = defineAgent<Map<string, number>>('page-views');
export const FeatureFlags = defineAgent<{ beta: boolean }>('feature-flags');

@Injectable()
export class Analytics {
  constructor(@InjectAgent(PageViews) private readonly views: Agent<Map<string, number>>) {}

  viewed(path: string): void {
    this.views.cast((views) => views.set(path, (views.get(path) ?? 0) + 1));
  }

  top(n: number): Promise<[string, number][]> {
    return this.views.get((views) => [...views].sort((a, b) => b[1] - a[1]).slice(0, n));
  }
}

@Module({
  providers: [
    provideAgent(PageViews, { initial: () => new Map() }),
    provideAgent(FeatureFlags, {
      useFactory: (config: ConfigService) => ({ beta: config.get('BETA') === 'on' }),
      inject: [ConfigService],
    }),
    Analytics,
  ],
  exports: [PageViews.token],
})
export class AnalyticsModule {}

/** Hosts the guide's method-body snippets. */
@Injectable()
class Checkout {
  constructor(
    @InjectTaskSupervisor() private readonly tasks: TaskSupervisorRef,
    private readonly pricing: Pricing,
    private readonly sync: UserSync,
  ) {}

  async price(order: Order): Promise<number> {
    const task = this.tasks.async((signal) => this.pricing.quote(order, signal), { name: 'quote' });
    // ... do other work meanwhile ...
    const quote = await task.await(2000);
    return quote;
  }

  async syncAll(userIds: string[]): Promise<string[]> {
    const failed: string[] = [];
    for await (const result of this.tasks.asyncStream(userIds, (id, signal) => this.sync.user(id, signal), {
      maxConcurrency: 4,
    })) {
      if (result.status !== 'ok') failed.push(result.item);
    }
    return failed;
  }
}

/** Resolves later, when the test says so. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('docs/tasks-and-agents.md', () => {
  let app: TestingModule | undefined;
  let errors: ReturnType<typeof jest.spyOn>;

  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  it('account setup: the CRM task is retried with backoff until it succeeds; the welcome email is sent', async () => {
    const clock = new ManualClock(0);
    const crmCalls: number[] = [];
    const crm = {
      createUser: jest.fn(async () => {
        crmCalls.push(clock.now());
        if (crmCalls.length <= 2) throw new Error('CRM unavailable');
      }),
    };
    const fulfillment = { assignNearest: jest.fn(async () => undefined) };
    const mailer = { welcome: jest.fn(async () => undefined) };
    app = await (
      await Test.createTestingModule({ imports: [GenServerModule.forRoot({ clock }), AccountsModule] })
        .overrideProvider(Crm)
        .useValue(crm)
        .overrideProvider(Fulfillment)
        .useValue(fulfillment)
        .overrideProvider(Mailer)
        .useValue(mailer)
        .compile()
    ).init();

    app.get(AccountSetup).afterSignUp({ id: 'u1' });
    await clock.settle();
    await clock.advanceByAsync(1000);
    await clock.advanceByAsync(2000);

    expect(crmCalls).toEqual([0, 1000, 3000]);
    expect(fulfillment.assignNearest).toHaveBeenCalledTimes(1);
    expect(mailer.welcome).toHaveBeenCalledWith({ id: 'u1' });
    expect(errors.mock.calls.map((call: unknown[]) => String(call[0]))).toEqual([
      expect.stringContaining(
        'account-setup: task crm failed (attempt 1): Error: CRM unavailable; restarting in 1000 ms',
      ),
      expect.stringContaining(
        'account-setup: task crm failed (attempt 2): Error: CRM unavailable; restarting in 2000 ms',
      ),
    ]);
    const node = app
      .get(GenServerRuntime)
      .snapshot()
      .root.children.find((child) => child.name === 'account-setup') as TaskSupervisorInfo;
    expect(node).toMatchObject({ type: 'task-supervisor', succeeded: 2, retries: 2, failed: 0, running: 0 });
  });

  it('async/await and asyncStream, from a service', async () => {
    app = await (
      await Test.createTestingModule({
        imports: [GenServerModule.forRoot({ clock: new ManualClock() })],
        providers: [Checkout, Pricing, UserSync],
      }).compile()
    ).init();
    const checkout = app.get(Checkout);
    await expect(checkout.price({ total: 10 })).resolves.toBe(12);
    await expect(checkout.syncAll(['a', 'bad-b', 'c', 'bad-d'])).resolves.toEqual(['bad-b', 'bad-d']);
  });

  it('periodic runs as tasks: the nightly report runs at 02:00 Prague time while the server keeps serving', async () => {
    const clock = new ManualClock(new Date('2026-03-05T00:30:00Z')); // 01:30 in Prague
    const run = later<Report>();
    const reports = { build: jest.fn((_signal: AbortSignal) => run.promise) };
    app = await (
      await Test.createTestingModule({
        imports: [GenServerModule.forRoot({ clock })],
        providers: [NightlyReport, ReportService],
      })
        .overrideProvider(ReportService)
        .useValue(reports)
        .compile()
    ).init();
    const runtime = app.get(GenServerRuntime);
    const nightly = runtime.ref(NightlyReport);
    await clock.advanceToAsync(new Date('2026-03-05T01:00:00Z')); // 02:00 in Prague
    expect(reports.build).toHaveBeenCalledTimes(1);
    expect(reports.build.mock.calls[0][0]).toBeInstanceOf(AbortSignal);
    await expect(nightly.call('latest')).resolves.toBeUndefined(); // not blocked by the running report
    run.resolve({ day: '2026-03-05' });
    await clock.settle();
    await expect(nightly.call('latest')).resolves.toEqual({ day: '2026-03-05' });
  });

  it('deferred replies: the quote is answered by a task, then from the cache', async () => {
    const fetched = later<number>();
    const feed = { fetch: jest.fn((_symbol: string, _signal: AbortSignal) => fetched.promise) };
    app = await (
      await Test.createTestingModule({
        imports: [GenServerModule.forRoot({ clock: new ManualClock() })],
        providers: [Quotes, QuoteFeed],
      })
        .overrideProvider(QuoteFeed)
        .useValue(feed)
        .compile()
    ).init();
    const quotes: ServerRef<Quotes> = app.get(GenServerRuntime).ref(Quotes);
    const first = quotes.call('quote', 'ACME');
    await quotes.getState(); // the server is free while the quote is fetched
    expect(feed.fetch).toHaveBeenCalledTimes(1);
    fetched.resolve(42);
    await expect(first).resolves.toBe(42);

    // the caller's type is number: ServerRef unwraps DeferredReply<number>
    const price: number = await quotes.call('quote', 'ACME');

    expect(price).toBe(42);
    expect(feed.fetch).toHaveBeenCalledTimes(1); // the second answer came from the cache
  });

  it('agents: provided with an initial value or a factory, injected, and started at run time', async () => {
    app = await (
      await Test.createTestingModule({
        imports: [
          GenServerModule.forRoot({ clock: new ManualClock() }),
          ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ BETA: 'on' })] }),
          AnalyticsModule,
        ],
      }).compile()
    ).init();
    const analytics = app.get(Analytics);
    for (const path of ['/a', '/b', '/a']) analytics.viewed(path);
    await expect(analytics.top(1)).resolves.toEqual([['/a', 2]]);
    const flags = app.get<string, Agent<{ beta: boolean }>>(FeatureFlags.token);
    await expect(flags.get((f) => f.beta)).resolves.toBe(true);

    const runtime = app.get(GenServerRuntime);
    const userId = 'u1';
    const sku = 'sku-1';
    const cart = await runtime.startAgent<string[]>(`cart:${userId}`, () => []);
    await cart.update((items) => [...items, sku]);
    runtime.agent<string[]>(`cart:${userId}`); // find it again
    await runtime.stopAgent(`cart:${userId}`);

    expect(cart.info()).toMatchObject({ status: 'stopped', handled: { calls: 1 } });
    expect(runtime.agent(`cart:${userId}`)).toBeUndefined();
  });

  it('without Nest', async () => {
    const tasks = new TaskSupervisor({ name: 'jobs', clock: new ManualClock() });
    const total = await tasks.async(async () => 40 + 2).await();
    await tasks.stop();

    const counter = await Agent.start({ name: 'counter', initial: () => 0 });
    await counter.update((n) => n + 1);

    expect(total).toBe(42);
    await expect(counter.get((n) => n)).resolves.toBe(1);
    await counter.stop();
  });
});
