import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import {
  CallTimeoutError,
  DeferredReply,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  InjectSelf,
  InjectTaskSupervisor,
  InvalidDefinitionError,
  ManualClock,
  Periodic,
  PeriodicRegistry,
  SelfRef,
  ServerRef,
  SupervisionTree,
  TaskCancelledError,
  TaskSupervisorNotFoundError,
  TaskSupervisorRef,
  TaskSupervisorStoppedError,
  TaskTimeoutError,
  type ChildInfo,
  type DynamicSupervisorRef,
  type GenServerModuleOptions,
  type Reply,
  type ServerInfo,
  type StreamResult,
  type Task,
  type TaskSupervisorInfo,
} from 'nestjs-genserver';
import { GenServerTesting } from 'nestjs-genserver/testing';

/** 2026-03-05T10:17:42.123Z: an arbitrary start, off every boundary. */
const START = Date.UTC(2026, 2, 5, 10, 17, 42, 123);

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets the event loop turn until `done()` holds; fails after 200 turns. No wall-clock time is involved. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (done()) return;
    await turn();
  }
  throw new Error('condition not reached in 200 event-loop turns');
}

/**
 * Work that takes `ms` on the app's clock (a ManualClock here: it ends when the test advances it). With
 * a signal it stops early, rejecting with the signal's reason, as a well-behaved task does.
 */
function delay(runtime: GenServerRuntime, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = runtime.clock.setTimer(resolve, ms);
    signal?.addEventListener('abort', () => {
      runtime.clock.clearTimer(timer);
      reject(signal.reason);
    });
  });
}

/** Exact type equality, for compile-time checks. */
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

interface Booted {
  readonly app: TestingModule;
  readonly clock: ManualClock;
  readonly runtime: GenServerRuntime;
}

async function boot(
  metadata: Parameters<typeof Test.createTestingModule>[0],
  options: GenServerModuleOptions = {},
  override: (builder: TestingModuleBuilder) => void = () => undefined,
): Promise<Booted> {
  const clock = new ManualClock(START);
  const builder = Test.createTestingModule({
    ...metadata,
    imports: [GenServerModule.forRoot({ clock, ...options }), ...(metadata.imports ?? [])],
  });
  override(builder);
  const app = await builder.compile();
  await app.init();
  return { app, clock, runtime: app.get(GenServerRuntime) };
}

/**
 * Closes the app, moving the manual clock to each next timer while `close()` waits (a task still
 * running waits out its supervisor's shutdown timeout, which is on the clock).
 */
async function closeApp({ app, clock }: Booted): Promise<void> {
  let closed = false;
  const closing = app.close().then(() => (closed = true));
  for (let i = 0; i < 1000 && !closed; i++) {
    const next = clock.nextTimerAt;
    if (next === undefined) await turn();
    else await clock.advanceToAsync(next);
  }
  await closing;
}

/** The task supervisor named `name` in the tree snapshot (the task supervisors are children of the root). */
function taskSupervisorNode(runtime: GenServerRuntime, name: string): TaskSupervisorInfo {
  const node = runtime.snapshot().root.children.find((child: ChildInfo) => child.name === name);
  if (node?.type !== 'task-supervisor') throw new Error(`no task supervisor ${name} under the root`);
  return node;
}

let errorLog: jest.Spied<Logger['error']>;
let warnLog: jest.Spied<Logger['warn']>;
let infoLog: jest.Spied<Logger['log']>;
let booted: Booted | undefined;

/** The messages logged through `spy` (first argument of each call). */
const lines = (spy: jest.Spied<Logger['error']> | jest.Spied<Logger['log']>): string[] =>
  spy.mock.calls.map((call) => String(call[0]));

beforeEach(() => {
  // Task failures and shutdown summaries are logged on purpose here: keep them out of the output, assert on them.
  errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  warnLog = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  infoLog = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});

afterEach(async () => {
  if (booted !== undefined) await closeApp(booted);
  booted = undefined;
  jest.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------------------
// 1. The reading's account setup: two independent transient tasks on a named task supervisor.
// ---------------------------------------------------------------------------------------------------

interface User {
  readonly id: number;
  readonly name: string;
  readonly address: string;
  crmId?: string;
  fulfillmentCenterId?: string;
}

/** The main database (in memory). */
@Injectable()
class UserRepo {
  readonly users = new Map<number, User>();
  insert(name: string, address: string): User {
    const user: User = { id: this.users.size + 1, name, address };
    this.users.set(user.id, user);
    return user;
  }
  update(id: number, patch: Partial<User>): void {
    Object.assign(this.users.get(id) as User, patch);
  }
}

/** The external CRM; tests replace it with a mock. */
@Injectable()
class CrmClient {
  createUser(_user: User, _signal: AbortSignal): Promise<string> {
    return Promise.reject(new Error('no CRM in tests'));
  }
}

/** The external fulfillment service; tests replace it with a mock. */
@Injectable()
class FulfillmentClient {
  nearestCenter(_address: string, _signal: AbortSignal): Promise<string> {
    return Promise.reject(new Error('no fulfillment service in tests'));
  }
}

/** `YourApp.AccountSetupSupervisor.set_up_user_account/1`. */
@Injectable()
class AccountSetup {
  constructor(
    @InjectTaskSupervisor('account-setup') readonly tasks: TaskSupervisorRef,
    private readonly users: UserRepo,
    private readonly crm: CrmClient,
    private readonly fulfillment: FulfillmentClient,
  ) {}

  setUpAccount(user: User): void {
    const retry = { restart: 'transient', backoff: { minMs: 1000, maxMs: 30_000 } } as const;
    this.tasks.start(
      async (signal) => this.users.update(user.id, { crmId: await this.crm.createUser(user, signal) }),
      { name: `crm:user-${user.id}`, ...retry },
    );
    this.tasks.start(
      async (signal) =>
        this.users.update(user.id, {
          fulfillmentCenterId: await this.fulfillment.nearestCenter(user.address, signal),
        }),
      { name: `fulfillment:user-${user.id}`, ...retry },
    );
  }
}

/** Saves the user, then hands the slow external work to the task supervisor and returns at once. */
@Injectable()
class Accounts {
  constructor(
    private readonly users: UserRepo,
    private readonly setup: AccountSetup,
  ) {}

  register(name: string, address: string): User {
    const user = this.users.insert(name, address);
    this.setup.setUpAccount(user);
    return user;
  }
}

@Module({
  imports: [GenServerModule.forTaskSupervisor('account-setup')],
  providers: [Accounts, AccountSetup, UserRepo, CrmClient, FulfillmentClient],
  exports: [Accounts, UserRepo],
})
class AccountsModule {}

describe('supervised tasks in a Nest app: account setup (the reading)', () => {
  it('retries the failing CRM call with backoff, logs each failure once, and shows the counts in the tree', async () => {
    const crmCalls: number[] = [];
    const fulfillmentCalls: number[] = [];
    let clockNow = (): number => 0;
    const crm = {
      createUser: jest.fn((user: User, signal: AbortSignal): Promise<string> => {
        crmCalls.push(clockNow() - START);
        expect(signal).toBeInstanceOf(AbortSignal);
        return crmCalls.length <= 2
          ? Promise.reject(new Error('CRM unavailable'))
          : Promise.resolve(`crm-${user.id}`);
      }),
    };
    const fulfillment = {
      nearestCenter: jest.fn((address: string): Promise<string> => {
        fulfillmentCalls.push(clockNow() - START);
        return Promise.resolve(address.includes('Brno') ? 'center-brno' : 'center-prague');
      }),
    };
    booted = await boot({ imports: [AccountsModule] }, {}, (builder) => {
      builder.overrideProvider(CrmClient).useValue(crm);
      builder.overrideProvider(FulfillmentClient).useValue(fulfillment);
    });
    const { app, clock, runtime } = booted;
    clockNow = () => clock.now();

    const user = app.get(Accounts).register('Ann', 'Brno, Czechia');
    expect(user.crmId).toBeUndefined(); // register() returned before any external call
    await clock.settle();
    expect(crmCalls).toEqual([0]);
    expect(fulfillmentCalls).toEqual([0]);
    expect(taskSupervisorNode(runtime, 'account-setup')).toMatchObject({
      running: 0,
      started: 2,
      succeeded: 1,
      retries: 1,
      tasks: [{ name: 'crm:user-1', status: 'retrying', attempt: 1, startedAt: START }],
    });

    await clock.advanceByAsync(10_000);
    expect(crmCalls).toEqual([0, 1000, 3000]); // backoff 1 s, then 2 s
    expect(fulfillmentCalls).toEqual([0]);
    expect(crm.createUser).toHaveBeenCalledTimes(3);
    expect(app.get(UserRepo).users.get(user.id)).toEqual({
      id: 1,
      name: 'Ann',
      address: 'Brno, Czechia',
      crmId: 'crm-1',
      fulfillmentCenterId: 'center-brno',
    });

    // One error line per failure, naming the supervisor, the task and what happens next.
    expect(lines(errorLog)).toEqual([
      'account-setup: task crm:user-1 failed (attempt 1): Error: CRM unavailable; restarting in 1000 ms ' +
        '(restart 1 of 3 within 5000 ms)',
      'account-setup: task crm:user-1 failed (attempt 2): Error: CRM unavailable; restarting in 2000 ms ' +
        '(restart 2 of 3 within 5000 ms)',
    ]);
    expect(errorLog.mock.calls[0][1]).toMatch(/^Error: CRM unavailable\n/); // the stack

    const { root } = app.get(SupervisionTree).snapshot();
    expect(root.children.map((child) => child.name)).toEqual(['tasks', 'account-setup']);
    expect(taskSupervisorNode(runtime, 'account-setup')).toEqual({
      type: 'task-supervisor',
      name: 'account-setup',
      status: 'running',
      restarts: 0,
      running: 0,
      started: 2,
      succeeded: 2,
      failed: 0,
      retries: 2,
      cancelled: 0,
      tasks: [],
    });
    expect(app.get(AccountSetup).tasks).toBe(runtime.taskSupervisor('account-setup'));
    expect(app.get(AccountSetup).tasks.info()).toEqual(taskSupervisorNode(runtime, 'account-setup'));
  });

  it('closing the app while a retry waits cancels the retry and says so in one summary line', async () => {
    const crm = { createUser: jest.fn(() => Promise.reject(new Error('CRM unavailable'))) };
    const fulfillment = { nearestCenter: jest.fn(() => Promise.resolve('center-prague')) };
    const { app, clock, runtime } = await boot({ imports: [AccountsModule] }, {}, (builder) => {
      builder.overrideProvider(CrmClient).useValue(crm);
      builder.overrideProvider(FulfillmentClient).useValue(fulfillment);
    });
    app.get(Accounts).register('Bob', 'Prague');
    await clock.settle();
    expect(taskSupervisorNode(runtime, 'account-setup').tasks).toMatchObject([{ status: 'retrying' }]);
    await app.close(); // nothing runs: no shutdown timeout to wait for
    expect(lines(infoLog).filter((line) => line.includes('tasks stopped'))).toEqual([
      'account-setup: tasks stopped: 0 finished, 1 retry cancelled (crm:user-1)',
    ]);
    expect(app.get(AccountSetup).tasks.info()).toMatchObject({
      status: 'stopped',
      succeeded: 1,
      retries: 1,
      cancelled: 1,
      failed: 0,
      tasks: [],
    });
    expect(clock.pendingTimers).toBe(0);
    expect(crm.createUser).toHaveBeenCalledTimes(1);
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. The default task supervisor: async / await / yield / shutdown.
// ---------------------------------------------------------------------------------------------------

/** Builds reports as tasks of the default supervisor; each takes `ms` on the clock and honours its signal. */
@Injectable()
class Reports {
  readonly signals = new Map<string, AbortSignal>();

  constructor(
    @InjectTaskSupervisor() readonly tasks: TaskSupervisorRef,
    private readonly runtime: GenServerRuntime,
  ) {}

  build(day: string, ms: number): Task<string> {
    return this.tasks.async(
      async (signal) => {
        this.signals.set(day, signal);
        await delay(this.runtime, ms, signal);
        return `report ${day}`;
      },
      { name: `report:${day}` },
    );
  }
}

describe('the default task supervisor (@InjectTaskSupervisor())', () => {
  it('async() + await() gives the value; await(ms) times out with TaskTimeoutError and aborts the task', async () => {
    booted = await boot({ providers: [Reports] });
    const { app, clock, runtime } = booted;
    const reports = app.get(Reports);
    expect(reports.tasks).toBe(runtime.taskSupervisor());
    expect(reports.tasks.name).toBe('tasks');

    const monday = reports.build('mon', 200);
    const value = monday.await();
    await clock.advanceByAsync(200);
    expect(await value).toBe('report mon');
    expect(monday.status).toBe('succeeded');
    expect(await monday.await()).toBe('report mon'); // may be awaited again

    const tuesday = reports.build('tue', 1000);
    const timedOut = tuesday.await(100).catch((error: unknown) => error);
    await clock.advanceByAsync(100);
    const error = await timedOut;
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(error).toMatchObject({ task: 'report:tue', supervisor: 'tasks', timeoutMs: 100, waiter: 'await' });
    const signal = reports.signals.get('tue') as AbortSignal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(TaskCancelledError);
    expect(signal.reason).toMatchObject({ task: 'report:tue', supervisor: 'tasks', reason: 'timeout' });
    expect(tuesday.status).toBe('cancelled');
    await expect(tuesday.await()).rejects.toBe(signal.reason);
    expect(reports.tasks.info()).toMatchObject({ started: 2, succeeded: 1, cancelled: 1, failed: 0 });
    expect(errorLog).not.toHaveBeenCalled(); // a cancelled task is not a failure
  });

  it('yield(ms) resolves undefined and leaves the task running; a later yield gets the value', async () => {
    booted = await boot({ providers: [Reports] });
    const { app, clock } = booted;
    const reports = app.get(Reports);
    const wednesday = reports.build('wed', 250);
    const first = wednesday.yield(100);
    await clock.advanceByAsync(100);
    expect(await first).toBeUndefined();
    expect(wednesday.status).toBe('running');
    expect(reports.signals.get('wed')?.aborted).toBe(false);
    expect(reports.tasks.info().tasks).toEqual([
      { id: wednesday.id, name: 'report:wed', status: 'running', attempt: 1, startedAt: START },
    ]);

    const second = wednesday.yield(1000);
    await clock.advanceByAsync(150);
    expect(await second).toBe('report wed');
    expect(clock.now()).toBe(START + 250);
    expect(reports.tasks.info()).toMatchObject({ running: 0, succeeded: 1, cancelled: 0, tasks: [] });
  });

  it('shutdown() aborts the task’s signal (reason cancelled) and its awaiter rejects with TaskCancelledError', async () => {
    booted = await boot({ providers: [Reports] });
    const { app, clock } = booted;
    const reports = app.get(Reports);
    const thursday = reports.build('thu', 1000);
    const outcome = thursday.await(Infinity).catch((error: unknown) => error);
    await clock.settle(); // the task's function ran: it holds its signal
    const signal = reports.signals.get('thu') as AbortSignal;
    expect(signal.aborted).toBe(false);

    thursday.shutdown();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(TaskCancelledError);
    expect(signal.reason).toMatchObject({ reason: 'cancelled', task: 'report:thu' });
    expect(await outcome).toBe(signal.reason);
    expect(thursday.status).toBe('cancelled');
    thursday.shutdown(); // a no-op once final
    expect(reports.tasks.info()).toMatchObject({ started: 1, cancelled: 1, running: 0, tasks: [] });
    expect(clock.pendingTimers).toBe(0); // the work stopped when its signal aborted
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. asyncStream from a Nest service: bounded concurrency, results in input order.
// ---------------------------------------------------------------------------------------------------

/** The slow external work: resizing an image takes `ms` on the clock. Tracks what runs at once. */
@Injectable()
class ImageResizer {
  inFlight = 0;
  maxInFlight = 0;
  readonly starts: string[] = [];

  constructor(private readonly runtime: GenServerRuntime) {}

  async resize(image: string, ms: number, signal: AbortSignal): Promise<string> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.starts.push(`${image}@${this.runtime.clock.now() - START}`);
    try {
      await delay(this.runtime, ms, signal);
      return `${image}-thumb`;
    } finally {
      this.inFlight--;
    }
  }
}

type Image = readonly [name: string, ms: number];

@Injectable()
class Thumbnails {
  constructor(
    @InjectTaskSupervisor() private readonly tasks: TaskSupervisorRef,
    private readonly resizer: ImageResizer,
  ) {}

  async resizeAll(images: readonly Image[], ordered = true): Promise<StreamResult<Image, string>[]> {
    const results: StreamResult<Image, string>[] = [];
    const stream = this.tasks.asyncStream(
      images,
      ([name, ms], signal) => this.resizer.resize(name, ms, signal),
      { maxConcurrency: 2, ordered, name: 'thumbnails' },
    );
    for await (const result of stream) results.push(result);
    return results;
  }
}

describe('asyncStream from a Nest service', () => {
  const images: Image[] = [
    ['a', 300],
    ['b', 100],
    ['c', 50],
    ['d', 400],
    ['e', 10],
  ];

  it('never runs more than maxConcurrency items at once, and yields results in input order', async () => {
    booted = await boot({ providers: [Thumbnails, ImageResizer] });
    const { app, clock, runtime } = booted;
    const resizer = app.get(ImageResizer);
    const done = app.get(Thumbnails).resizeAll(images);
    await clock.settle();
    expect(
      runtime
        .taskSupervisor()
        .info()
        .tasks.map((t) => t.name),
    ).toEqual(['thumbnails[0]', 'thumbnails[1]']);
    await clock.advanceByAsync(1000);
    const results = await done;
    expect(results.map((r) => (r.status === 'ok' ? r.value : r.status))).toEqual([
      'a-thumb',
      'b-thumb',
      'c-thumb',
      'd-thumb',
      'e-thumb',
    ]);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(results[3].item).toEqual(['d', 400]);
    expect(resizer.maxInFlight).toBe(2);
    // b finished first but waits, unconsumed, behind a: c starts only once a is consumed (back-pressure).
    expect(resizer.starts).toEqual(['a@0', 'b@0', 'c@300', 'd@300', 'e@350']);
    expect(runtime.taskSupervisor().info()).toMatchObject({ started: 5, succeeded: 5, running: 0 });
  });

  it('with ordered: false, yields in completion order, still at most maxConcurrency at once', async () => {
    booted = await boot({ providers: [Thumbnails, ImageResizer] });
    const { app, clock } = booted;
    const done = app.get(Thumbnails).resizeAll(images, false);
    await clock.advanceByAsync(1000);
    const results = await done;
    expect(results.map((r) => r.item[0])).toEqual(['b', 'c', 'a', 'e', 'd']);
    expect(app.get(ImageResizer).maxInFlight).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------
// 4. A deferred reply, sent from a task: the mailbox is not blocked while the task works.
// ---------------------------------------------------------------------------------------------------

/** The quote feed; tests replace it with a mock. */
@Injectable()
class QuoteFeed {
  fetch(_symbol: string, _signal: AbortSignal): Promise<number> {
    return Promise.reject(new Error('no feed in tests'));
  }
}

/** What each deferred `reply()` returned, for the test to read. */
@Injectable()
class ReplyLog {
  readonly outcomes: [symbol: string, delivered: boolean][] = [];
}

@GenServer()
class Quotes {
  @InjectSelf() private readonly self!: SelfRef<Quotes>;
  requests = 0;

  constructor(
    @InjectTaskSupervisor() private readonly tasks: TaskSupervisorRef,
    private readonly feed: QuoteFeed,
    private readonly log: ReplyLog,
  ) {}

  @HandleCall() quote(symbol: string): DeferredReply<number> {
    this.requests++;
    const reply = this.self.deferReply<number>();
    this.tasks.start(
      async (signal) => {
        let delivered: boolean;
        try {
          delivered = reply.reply(await this.feed.fetch(symbol, signal));
        } catch (error) {
          delivered = reply.fail(error);
        }
        this.log.outcomes.push([symbol, delivered]);
      },
      { name: `quote:${symbol}` },
    );
    return reply;
  }

  @HandleCall() requestsSoFar(): number {
    return this.requests;
  }
}

// Compile-time: a handler returning DeferredReply<number> makes the ref's reply type number.
const quoteReplyIsNumber: Equals<Reply<Quotes, 'quote'>, number> = true;
const requestsReplyIsNumber: Equals<Reply<Quotes, 'requestsSoFar'>, number> = true;

describe('a deferred reply sent from a task', () => {
  /** Quotes take 500 ms on the clock (2000 ms for 'SLOW'). */
  async function bootQuotes(): Promise<Booted & { ref: ServerRef<Quotes> }> {
    const app: { runtime?: GenServerRuntime } = {}; // set once booted
    const feed = {
      fetch: jest.fn(async (symbol: string): Promise<number> => {
        await delay(app.runtime as GenServerRuntime, symbol === 'SLOW' ? 2000 : 500);
        if (symbol === 'BAD') throw new RangeError(`unknown symbol ${symbol}`);
        return symbol.length * 100;
      }),
    };
    booted = await boot({ providers: [Quotes, QuoteFeed, ReplyLog] }, {}, (builder) => {
      builder.overrideProvider(QuoteFeed).useValue(feed);
    });
    app.runtime = booted.runtime;
    return { ...booted, ref: booted.runtime.ref(Quotes) };
  }

  it('the caller gets the task’s value while the server goes on answering other calls', async () => {
    const { app, clock, ref } = await bootQuotes();
    expect(quoteReplyIsNumber && requestsReplyIsNumber).toBe(true);
    const acme = ref.call('quote', 'ACME');
    let answered = false;
    void acme.then(() => (answered = true));
    await clock.settle();
    // The quote is still being fetched, yet the server answers at once: its mailbox is not blocked.
    expect(await ref.call('requestsSoFar')).toBe(1);
    expect(answered).toBe(false);
    expect(ref.info()).toMatchObject({ busy: false, mailboxLength: 0, handled: { calls: 2 } });
    expect(clock.now()).toBe(START);

    await clock.advanceByAsync(500);
    const price: number = await acme; // typed number, not DeferredReply<number>
    expect(price).toBe(400);
    const next = ref.call('quote', 'X');
    await clock.advanceByAsync(500);
    const n: number = await next;
    expect(n).toBe(100);
    expect(app.get(ReplyLog).outcomes).toEqual([
      ['ACME', true],
      ['X', true],
    ]);
    expect(ref.info().ignoredReplies).toBe(0);
  });

  it('a task can fail the deferred call: the caller gets the error as given, the server goes on', async () => {
    const { app, clock, ref } = await bootQuotes();
    const bad = ref.call('quote', 'BAD').catch((error: unknown) => error);
    await clock.advanceByAsync(500);
    const error = await bad;
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ message: 'unknown symbol BAD' });
    expect(app.get(ReplyLog).outcomes).toEqual([['BAD', true]]);
    expect(ref.info()).toMatchObject({ status: 'running', restarts: 0, ignoredReplies: 0 });
    expect(errorLog).not.toHaveBeenCalled(); // the task itself succeeded: it handled the failure
  });

  it('a reply after the caller timed out is ignored: reply() returns false and ignoredReplies counts it', async () => {
    const { app, clock, ref } = await bootQuotes();
    const late = ref
      .withTimeout(100)
      .call('quote', 'SLOW')
      .catch((error: unknown) => error);
    await clock.advanceByAsync(100);
    const error = await late;
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ server: 'Quotes', timeoutMs: 100 });
    expect(ref.info()).toMatchObject({ status: 'running', restarts: 0, ignoredReplies: 0 });

    await clock.advanceByAsync(1900); // the task finishes and replies, too late
    expect(app.get(ReplyLog).outcomes).toEqual([['SLOW', false]]);
    expect(ref.info()).toMatchObject({ status: 'running', restarts: 0, ignoredReplies: 1 });
    expect(await ref.call('requestsSoFar')).toBe(1); // the server is fine
  });
});

// ---------------------------------------------------------------------------------------------------
// 5. @Periodic(..., { runAs: 'task' }): long runs beside the mailbox.
// ---------------------------------------------------------------------------------------------------

/** Builds the report a run needs; the test decides how long it takes and whether it fails. */
@Injectable()
class ReportBuilder {
  calls = 0;
  failNext = false;
  constructor(private readonly runtime: GenServerRuntime) {}

  async build(signal: AbortSignal): Promise<string> {
    const n = ++this.calls;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('report source down');
    }
    await delay(this.runtime, 2500, signal);
    return `report #${n}`;
  }
}

@GenServer()
class Dashboard {
  @InjectSelf() private readonly self!: SelfRef<Dashboard>;
  readonly reports: string[] = [];

  constructor(private readonly builder: ReportBuilder) {}

  /** Runs as a task: it sends its result back with a cast instead of changing fields. */
  @Periodic('1s', { runAs: 'task' })
  async refresh(signal: AbortSignal): Promise<void> {
    this.self.cast('store', await this.builder.build(signal));
  }

  @HandleCast() store(report: string): void {
    this.reports.push(report);
  }

  @HandleCall() latest(): string | undefined {
    return this.reports.at(-1);
  }
}

describe("@Periodic with runAs: 'task'", () => {
  it('works for dynamic children too: each child runs its job as a task of the default supervisor', async () => {
    @GenServer()
    class Board {
      runs = 0;
      @Periodic('1s', { runAs: 'task' })
      async snapshot(signal: AbortSignal): Promise<void> {
        expect(signal).toBeInstanceOf(AbortSignal);
        this.runs++;
      }
    }
    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(Board)] }),
    );
    const boards = harness.runtime.dynamicRef(Board) as DynamicSupervisorRef<Board>;
    await boards.startChild(undefined, { key: 'a' });
    await boards.startChild(undefined, { key: 'b' });
    await harness.advanceBy('3s');
    expect((await harness.getState(Board, 'a')).runs).toBe(3);
    expect((await harness.getState(Board, 'b')).runs).toBe(3);
    expect(harness.runtime.taskSupervisor().info()).toMatchObject({ started: 6, succeeded: 6 });
    await harness.close();
  });

  it('skips and counts the ticks that come during a 2.5 s run, answers calls meanwhile, shows the run as a task', async () => {
    booted = await boot({ providers: [Dashboard, ReportBuilder] });
    const { app, clock, runtime } = booted;
    const jobs = app.get(PeriodicRegistry);
    const ref = runtime.ref(Dashboard);

    await clock.advanceByAsync(1000); // first tick: the run starts, as a task of the default supervisor
    expect(jobs.get('Dashboard.refresh')).toMatchObject({ runs: 1, running: true, skipped: 0 });
    expect(runtime.taskSupervisor().info()).toMatchObject({
      running: 1,
      tasks: [{ name: 'Dashboard.refresh', status: 'running', attempt: 1, startedAt: START + 1000 }],
    });
    expect(taskSupervisorNode(runtime, 'tasks').tasks.map((t) => t.name)).toEqual(['Dashboard.refresh']);
    expect(await ref.call('latest')).toBeUndefined(); // the server answers during the run
    expect(ref.info().busy).toBe(false);

    await clock.advanceByAsync(2000); // ticks at 2 s and 3 s come while the run goes on
    expect(jobs.get('Dashboard.refresh')).toMatchObject({ runs: 1, running: true, skipped: 2 });

    await clock.advanceByAsync(500); // 3.5 s: the run ends and casts its result back
    expect(await ref.call('latest')).toBe('report #1');
    expect(jobs.get('Dashboard.refresh')).toMatchObject({
      runs: 1,
      running: false,
      skipped: 2,
      failures: 0,
      lastRunAt: START + 1000,
      lastDurationMs: 2500,
    });
    const server = runtime.snapshot().root.children.find((c) => c.name === 'Dashboard') as ServerInfo;
    expect(server.periodic?.[0]).toMatchObject({ name: 'Dashboard.refresh', runs: 1, skipped: 2 });
    expect(runtime.taskSupervisor().info()).toMatchObject({
      running: 0,
      started: 1,
      succeeded: 1,
      tasks: [],
    });

    await clock.advanceByAsync(500); // 4 s: the next tick runs
    expect(jobs.get('Dashboard.refresh')).toMatchObject({ runs: 2, running: true, skipped: 2 });
    expect(errorLog).not.toHaveBeenCalled();
  });

  it('a failing run is logged and counted in failures; the server is not restarted', async () => {
    booted = await boot({ providers: [Dashboard, ReportBuilder] });
    const { app, clock, runtime } = booted;
    const jobs = app.get(PeriodicRegistry);
    const ref = runtime.ref(Dashboard);
    app.get(ReportBuilder).failNext = true;

    await clock.advanceByAsync(1000);
    expect(jobs.get('Dashboard.refresh')).toMatchObject({ runs: 1, failures: 1, running: false });
    expect(ref.info()).toMatchObject({ status: 'running', restarts: 0, incarnation: 1 });
    expect(lines(errorLog)).toEqual([
      'tasks: task Dashboard.refresh failed: Error: report source down; it is temporary, so it is not restarted',
    ]);
    expect(runtime.taskSupervisor().info()).toMatchObject({ started: 1, failed: 1, retries: 0 });

    await clock.advanceByAsync(1000 + 2500); // the next tick's run succeeds
    expect(await ref.call('latest')).toBe('report #2');
    expect(jobs.get('Dashboard.refresh')).toMatchObject({ runs: 2, failures: 1 });
    expect(ref.info()).toMatchObject({ restarts: 0, incarnation: 1 });
  });
});

// ---------------------------------------------------------------------------------------------------
// 6. Shutdown: running tasks finish within the shutdown timeout, or are aborted after it.
// ---------------------------------------------------------------------------------------------------

/** A server the mail tasks report to; it still runs while the task supervisors stop. */
@GenServer()
class Outbox {
  readonly sent: string[] = [];
  @HandleCall() markSent(mail: string): number {
    this.sent.push(mail);
    return this.sent.length;
  }
}

@Injectable()
class Mailer {
  readonly signals = new Map<string, AbortSignal>();

  constructor(
    @InjectTaskSupervisor('mail') readonly tasks: TaskSupervisorRef,
    private readonly runtime: GenServerRuntime,
  ) {}

  /** A mail that takes `ms` to send; it ignores its signal unless `cooperative`. */
  send(mail: string, ms: number, cooperative = false): Task<number> {
    return this.tasks.async(
      async (signal) => {
        this.signals.set(mail, signal);
        await delay(this.runtime, ms, cooperative ? signal : undefined);
        return this.runtime.ref(Outbox).call('markSent', mail);
      },
      { name: mail },
    );
  }
}

@Module({
  imports: [GenServerModule.forTaskSupervisor('mail', { shutdownTimeout: 1000 })],
  providers: [Mailer, Outbox],
  exports: [Mailer],
})
class MailModule {}

describe('shutdown with tasks running', () => {
  it('app.close() lets a task finish within the shutdown timeout and aborts the one that ignores its signal', async () => {
    const { app, clock, runtime } = await boot({ imports: [MailModule] });
    const mailer = app.get(Mailer);
    const outbox = runtime.ref(Outbox);
    const welcome = mailer.send('welcome', 500);
    const digest = mailer.send('digest', 60_000); // ignores its signal
    const welcomeResult = welcome.await(Infinity);
    const digestResult = digest.await(Infinity).catch((error: unknown) => error);
    await clock.settle();

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await until(() => mailer.tasks.info().status === 'stopping');
    expect(() => mailer.tasks.start(() => undefined)).toThrow(TaskSupervisorStoppedError);
    expect(outbox.info().status).toBe('running'); // servers stop after the task supervisors

    await clock.advanceByAsync(500);
    expect(await welcomeResult).toBe(1); // finished during shutdown, and could still call the Outbox
    expect(closed).toBe(false);
    expect(mailer.signals.get('digest')?.aborted).toBe(false);

    await clock.advanceByAsync(500); // the 1000 ms shutdown timeout of 'mail' runs out
    await closing;
    const signal = mailer.signals.get('digest') as AbortSignal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(TaskCancelledError);
    expect(signal.reason).toMatchObject({ task: 'digest', supervisor: 'mail', reason: 'shutdown' });
    const error = await digestResult;
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(error).toBe(signal.reason);
    expect(mailer.signals.get('welcome')?.aborted).toBe(false);

    // One summary line for the supervisor (a warning, since a task was aborted).
    expect(lines(warnLog).filter((line) => line.includes('tasks stopped'))).toEqual([
      'mail: tasks stopped: 1 finished, 1 aborted after 1000 ms (digest)',
    ]);
    expect(mailer.tasks.info()).toMatchObject({
      status: 'stopped',
      started: 2,
      succeeded: 1,
      cancelled: 1,
      running: 0,
      tasks: [],
    });
    expect(outbox.info().status).toBe('stopped');

    const refused = (() => {
      try {
        mailer.tasks.start(() => undefined);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(TaskSupervisorStoppedError);
    expect(refused).toMatchObject({ supervisor: 'mail', status: 'stopped' });
    expect(() => mailer.tasks.async(() => 1)).toThrow(TaskSupervisorStoppedError);
    expect(() => runtime.taskSupervisor().start(() => undefined)).toThrow(/^tasks is stopped/);
  });

  it("forRoot's shutdownTimeout applies to the default supervisor", async () => {
    const { app, clock, runtime } = await boot({ providers: [Reports] }, { shutdownTimeout: 1000 });
    const reports = app.get(Reports);
    const report = reports.build('fri', 60_000);
    const result = report.await(Infinity).catch((error: unknown) => error);
    await clock.settle();
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await until(() => runtime.taskSupervisor().info().status === 'stopping');
    await clock.advanceByAsync(999);
    expect(closed).toBe(false);
    await clock.advanceByAsync(1);
    await closing;
    expect(await result).toMatchObject({ name: 'TaskCancelledError', reason: 'shutdown' });
    expect(lines(warnLog)).toContain(
      'tasks: tasks stopped: 0 finished, 1 aborted after 1000 ms (report:fri)',
    );
  });

  it('all tasks finished within the timeout: the summary is an info line', async () => {
    const { app, clock } = await boot({ imports: [MailModule] });
    const mailer = app.get(Mailer);
    mailer.send('a', 100);
    mailer.send('b', 200);
    await clock.settle();
    const closing = app.close();
    await until(() => mailer.tasks.info().status === 'stopping');
    await clock.advanceByAsync(200);
    await closing;
    expect(lines(infoLog).filter((line) => line.includes('tasks stopped'))).toEqual([
      'mail: tasks stopped: 2 finished',
    ]);
    expect(warnLog).not.toHaveBeenCalled();
  });
});

// ---------------------------------------------------------------------------------------------------
// 7. Bad input.
// ---------------------------------------------------------------------------------------------------

describe('bad input', () => {
  /** Compiles an app importing `imports` after forRoot, and returns the error that fails it. */
  async function compileError(
    imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>,
  ): Promise<Error> {
    try {
      await Test.createTestingModule({
        imports: [GenServerModule.forRoot({ clock: new ManualClock() }), ...imports],
      }).compile();
    } catch (error) {
      return error as Error;
    }
    throw new Error('compile succeeded');
  }

  it('@InjectTaskSupervisor(name) without forTaskSupervisor(name) fails compile, naming TaskSupervisor(name)', async () => {
    @Injectable()
    class NeedsNope {
      constructor(@InjectTaskSupervisor('nope') readonly tasks: TaskSupervisorRef) {}
    }
    const compiled = Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock: new ManualClock() })],
      providers: [NeedsNope],
    }).compile();
    await expect(compiled).rejects.toThrow(/NeedsNope[\s\S]*TaskSupervisor\(nope\)/);
  });

  it('forTaskSupervisor(name) imported twice is an InvalidDefinitionError', async () => {
    @Module({ imports: [GenServerModule.forTaskSupervisor('x')] })
    class First {}
    @Module({ imports: [GenServerModule.forTaskSupervisor('x')] })
    class Second {}
    const error = await compileError([First, Second]);
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect(error.message).toBe(
      "GenServerModule.forTaskSupervisor('x') is imported more than once. Import it in one module, and " +
        "export that module where @InjectTaskSupervisor('x') is used.",
    );
  });

  it("forTaskSupervisor('tasks') is refused: 'tasks' is the default one", async () => {
    const error = await compileError([GenServerModule.forTaskSupervisor('tasks')]);
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect(error.message).toMatch(
      /^The task supervisor 'tasks' is the default one, always there: inject it with @InjectTaskSupervisor\(\)/,
    );
  });

  it('forTaskSupervisor() needs a non-empty name and a valid shutdownTimeout', async () => {
    expect(() => GenServerModule.forTaskSupervisor('')).toThrow(InvalidDefinitionError);
    expect(() => GenServerModule.forTaskSupervisor('')).toThrow(
      'GenServerModule.forTaskSupervisor() needs a non-empty name, got "".',
    );
    expect(() => GenServerModule.forTaskSupervisor(undefined as unknown as string)).toThrow(
      /needs a non-empty name, got undefined/,
    );
    const error = await compileError([GenServerModule.forTaskSupervisor('slow', { shutdownTimeout: -1 })]);
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect(error.message).toBe(
      "GenServerModule.forTaskSupervisor('slow'): slow: shutdownTimeout must be a number of ms >= 0 or " +
        'Infinity, got -1',
    );
  });

  it('runtime.taskSupervisor(unknown) throws TaskSupervisorNotFoundError; bad stream and await options are RangeErrors', async () => {
    booted = await boot({ imports: [AccountsModule] });
    const { runtime } = booted;
    expect(() => runtime.taskSupervisor('nope')).toThrow(TaskSupervisorNotFoundError);
    expect(() => runtime.taskSupervisor('nope')).toThrow(
      "No task supervisor named 'nope'. Declare it with GenServerModule.forTaskSupervisor('nope') in the " +
        'module that uses it. Known: tasks, account-setup.',
    );
    const tasks = runtime.taskSupervisor();
    expect(() => tasks.asyncStream([1, 2], (n) => n, { maxConcurrency: 0 })).toThrow(RangeError);
    expect(() => tasks.asyncStream([1, 2], (n) => n, { maxConcurrency: 0 })).toThrow(
      'tasks: asyncStream: maxConcurrency must be an integer >= 1, got 0',
    );
    const task = tasks.async(() => 1, { name: 'one' });
    expect(() => task.await(-1)).toThrow(RangeError);
    expect(() => task.await(-1)).toThrow(
      'tasks: task one: the await timeout must be a number of ms >= 0 or Infinity, got -1',
    );
    expect(() => task.yield(Number.NaN)).toThrow(RangeError);
    expect(await task.await()).toBe(1);
    expect(() => tasks.start(() => undefined, { restart: 'always' as 'transient' })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------
// Known bug: a task supervisor declared in a lazily loaded module never joins the tree.
// ---------------------------------------------------------------------------------------------------

@Injectable()
class LateJobs {
  constructor(@InjectTaskSupervisor('late') readonly tasks: TaskSupervisorRef) {}
}

@Module({
  imports: [GenServerModule.forTaskSupervisor('late', { shutdownTimeout: 100 })],
  providers: [LateJobs],
  exports: [LateJobs],
})
class LateModule {}

describe('a task supervisor from a lazily loaded module (LazyModuleLoader)', () => {
  // BUG: GenServerRuntime.addTaskSupervisor() (src/genserver.runtime.ts) only records the supervisor in
  // its map; runtime.start() adds the task supervisors to the root once, at bootstrap. Declared after
  // bootstrap, the supervisor is missing from the snapshot, stays 'idle', is never stopped by
  // app.close() (its running tasks are not aborted) and keeps accepting tasks afterwards. Agents of a
  // lazy module do join the running tree (registerAgent); task supervisors should too.
  it('joins the running tree, and app.close() aborts its tasks', async () => {
    booted = await boot({});
    const { app, clock, runtime } = booted;
    const lazy = await app.get(LazyModuleLoader).load(() => LateModule);
    const late = lazy.get(LateJobs);
    let signal: AbortSignal | undefined;
    late.tasks.start(
      (s) => {
        signal = s;
        return new Promise<void>(() => undefined); // ignores its signal
      },
      { name: 'forever' },
    );
    await clock.settle();
    const names = runtime.snapshot().root.children.map((child) => child.name);
    const status = late.tasks.info().status;
    await closeApp(booted);
    booted = undefined;
    expect({ names, status, aborted: signal?.aborted, after: late.tasks.info().status }).toEqual({
      names: ['tasks', 'late'],
      status: 'running',
      aborted: true,
      after: 'stopped',
    });
  });
});
