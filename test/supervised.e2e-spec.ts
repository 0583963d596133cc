import 'reflect-metadata';
import { jest } from '@jest/globals';
import {
  Controller,
  Injectable,
  Logger,
  Module,
  Scope,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  Init,
  InjectServer,
  ManualClock,
  ServerNotRunningError,
  ServerRef,
  Supervised,
  Terminate,
  type ChildInfo,
  type ExitReason,
  type GenServerModuleOptions,
} from 'nestjs-genserver';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets the event loop turn until `done()` holds; fails after 200 turns. No wall-clock time is involved. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (done()) return;
    await turn();
  }
  throw new Error('condition not reached in 200 event-loop turns');
}

/** Lifecycle events of every test server, in order: `start Db`, `stop Db shutdown`, `stop Db crash`. */
const events: string[] = [];
let nextId = 0;

/** The handlers every test server shares; the subclasses only add `@GenServer()` (and their name). */
abstract class Probe {
  readonly id = ++nextId;

  @Init() started(): void {
    events.push(`start ${this.constructor.name}`);
  }

  @Terminate() stopped(reason: ExitReason): void {
    events.push(`stop ${this.constructor.name} ${typeof reason === 'string' ? reason : reason.kind}`);
  }

  @HandleCall() whoami(): number {
    return this.id;
  }

  @HandleCall() explode(): never {
    throw new Error(`${this.constructor.name} exploded`);
  }
}

interface Booted {
  readonly app: TestingModule;
  readonly clock: ManualClock;
  readonly runtime: GenServerRuntime;
}

async function boot(
  metadata: Parameters<typeof Test.createTestingModule>[0],
  options: GenServerModuleOptions = {},
  before: (app: TestingModule) => void = () => undefined,
): Promise<Booted> {
  const clock = new ManualClock();
  const app = await Test.createTestingModule({
    ...metadata,
    imports: [GenServerModule.forRoot({ clock, ...options }), ...(metadata.imports ?? [])],
  }).compile();
  before(app);
  await app.init();
  return { app, clock, runtime: app.get(GenServerRuntime) };
}

/** Boots and returns the bootstrap error (the app is closed either way). */
async function bootstrapError(
  metadata: Parameters<typeof Test.createTestingModule>[0],
  options: GenServerModuleOptions = {},
): Promise<Error> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [GenServerModule.forRoot(options), ...(metadata.imports ?? [])],
  }).compile();
  try {
    await moduleRef.init();
  } catch (error) {
    await moduleRef.close().catch(() => undefined);
    return error as Error;
  }
  await moduleRef.close();
  throw new Error('bootstrap succeeded');
}

let errorLog: jest.Spied<Logger['error']>;
let warnLog: jest.Spied<Logger['warn']>;
let booted: Booted | undefined;

beforeEach(() => {
  events.length = 0;
  // Crashes and give-ups are logged on purpose here; keep them out of the test output, and assert on them.
  errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  warnLog = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
  jest.restoreAllMocks();
});

/** The snapshot node at `path` (child indexes from the root). */
function nodeAt(runtime: GenServerRuntime, ...path: number[]): ChildInfo {
  let node: ChildInfo = runtime.snapshot().root;
  for (const index of path) {
    if (node.type !== 'supervisor') throw new Error(`${node.name} is a server`);
    node = node.children[index];
  }
  return node;
}

const incarnations = (runtime: GenServerRuntime, servers: Type<object>[]): number[] =>
  servers.map((server) => runtime.ref(server).info().incarnation);

describe('@Supervised tree', () => {
  @GenServer()
  class Metrics extends Probe {}
  @GenServer()
  class Config extends Probe {}
  @GenServer()
  class Db extends Probe {}
  @GenServer()
  class Cache extends Probe {}
  @GenServer()
  class Sweeper extends Probe {}
  @GenServer()
  class Mailer extends Probe {}

  @Supervised({ children: [Cache, Sweeper] })
  class CacheSupervisor {}

  @Supervised({ name: 'data', strategy: 'rest_for_one', children: [Db, CacheSupervisor] })
  class DataSupervisor {}

  @Supervised({
    strategy: 'one_for_all',
    maxRestarts: 5,
    withinMs: 1000,
    children: [Config, DataSupervisor, Mailer],
  })
  class AppSupervisor {}

  // Deliberately not in tree order: the children lists decide the order, not the providers array.
  const providers = [
    Mailer,
    Sweeper,
    AppSupervisor,
    Metrics,
    Cache,
    CacheSupervisor,
    Db,
    DataSupervisor,
    Config,
  ];

  it('starts depth-first in list order and stops in exact reverse order', async () => {
    booted = await boot({ providers });
    const started = ['Config', 'Db', 'Cache', 'Sweeper', 'Mailer', 'Metrics'];
    expect(events).toEqual(started.map((name) => `start ${name}`));
    events.length = 0;
    await booted.app.close();
    booted = undefined;
    expect(events).toEqual([...started].reverse().map((name) => `stop ${name} shutdown`));
  });

  it('shows the nesting in snapshot(), with names, strategies and limits', async () => {
    booted = await boot({ providers });
    const server = (name: string) => ({ type: 'server', name, status: 'running' });
    expect(booted.runtime.snapshot()).toEqual({
      healthy: true,
      root: expect.objectContaining({
        name: 'root',
        status: 'running',
        children: [
          expect.objectContaining({
            type: 'supervisor',
            name: 'AppSupervisor',
            strategy: 'one_for_all',
            maxRestarts: 5,
            withinMs: 1000,
            status: 'running',
            children: [
              expect.objectContaining(server('Config')),
              expect.objectContaining({
                type: 'supervisor',
                name: 'data',
                strategy: 'rest_for_one',
                maxRestarts: 3,
                withinMs: 5000,
                children: [
                  expect.objectContaining(server('Db')),
                  expect.objectContaining({
                    type: 'supervisor',
                    name: 'CacheSupervisor',
                    strategy: 'one_for_one',
                    children: [
                      expect.objectContaining(server('Cache')),
                      expect.objectContaining(server('Sweeper')),
                    ],
                  }),
                ],
              }),
              expect.objectContaining(server('Mailer')),
            ],
          }),
          expect.objectContaining(server('Metrics')),
          expect.objectContaining({ type: 'task-supervisor', name: 'tasks', status: 'running' }),
        ],
      }),
    });
  });

  it('puts unlisted servers and supervisors under the root, mixed, in provider order', async () => {
    @GenServer()
    class First extends Probe {}
    @GenServer()
    class Last extends Probe {}
    booted = await boot({ providers: [First, Cache, CacheSupervisor, Last, Sweeper] });
    expect(booted.runtime.snapshot().root.children.map((child) => child.name)).toEqual([
      'First',
      'CacheSupervisor',
      'Last',
      'tasks', // the default task supervisor, always last
    ]);
    expect(events).toEqual(['start First', 'start Cache', 'start Sweeper', 'start Last']);
  });
});

describe('strategies through @Supervised', () => {
  @GenServer()
  class A extends Probe {}
  @GenServer()
  class B extends Probe {}
  @GenServer()
  class C extends Probe {}
  @Supervised({ strategy: 'one_for_one', children: [A, B, C] })
  class OneForOne {}
  @Supervised({ strategy: 'one_for_all', children: [A, B, C] })
  class OneForAll {}
  @Supervised({ strategy: 'rest_for_one', children: [A, B, C] })
  class RestForOne {}

  it.each([
    ['one_for_one', OneForOne, [1, 2, 1], ['stop B crash', 'start B']],
    [
      'one_for_all',
      OneForAll,
      [2, 2, 2],
      ['stop B crash', 'stop C shutdown', 'stop A shutdown', 'start A', 'start B', 'start C'],
    ],
    ['rest_for_one', RestForOne, [1, 2, 2], ['stop B crash', 'stop C shutdown', 'start B', 'start C']],
  ] as const)(
    '%s: a crash of B replaces what the strategy says',
    async (_strategy, supervisor, expected, order) => {
      booted = await boot({ providers: [A, B, C, supervisor] });
      const { runtime } = booted;
      const before = await Promise.all([A, B, C].map((s) => runtime.ref(s).call('whoami')));
      events.length = 0;
      await expect(runtime.ref(B).call('explode')).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
      await until(() => incarnations(runtime, [A, B, C]).join() === expected.join());
      await until(() => [A, B, C].every((s) => runtime.ref(s).info().status === 'running'));
      expect(events).toEqual(order);
      const after = await Promise.all([A, B, C].map((s) => runtime.ref(s).call('whoami')));
      expect(after.map((id, i) => id !== before[i])).toEqual(expected.map((n) => n === 2));
      expect(runtime.snapshot().root.children[0]).toMatchObject({ status: 'running', restarts: 0 });
    },
  );
});

describe('child specs override the child', () => {
  it("restart: 'transient' is not restarted after a normal stop; a plain listing is", async () => {
    @GenServer()
    class Once extends Probe {}
    @GenServer()
    class Always extends Probe {}
    @Supervised({ children: [{ child: Once, restart: 'transient' }, Always] })
    class Jobs {}
    booted = await boot({ providers: [Once, Always, Jobs] });
    const { runtime } = booted;
    await runtime.ref(Once).stop('normal');
    await runtime.ref(Always).stop('normal');
    await until(() => runtime.ref(Always).info().incarnation === 2);
    await turn();
    expect(runtime.ref(Once).info()).toMatchObject({ status: 'stopped', incarnation: 1 });
    expect(runtime.ref(Always).info()).toMatchObject({ status: 'running', incarnation: 2 });
  });

  it("restart: 'transient' still restarts after a crash", async () => {
    @GenServer()
    class Once extends Probe {}
    @Supervised({ children: [{ child: Once, restart: 'transient' }] })
    class Jobs {}
    booted = await boot({ providers: [Once, Jobs] });
    const ref = booted.runtime.ref(Once);
    await ref.call('explode').catch(() => undefined);
    await until(() => ref.info().incarnation === 2 && ref.info().status === 'running');
  });

  it('shutdownTimeout cuts a hanging @Terminate at the overridden time', async () => {
    @GenServer()
    class Stuck {
      @Terminate() hang(): Promise<void> {
        events.push('hanging');
        return new Promise(() => undefined);
      }
    }
    @GenServer()
    class Before extends Probe {}
    @Supervised({ children: [Before, { child: Stuck, shutdownTimeout: 100 }] })
    class Sup {}
    const { app, clock, runtime } = await boot({ providers: [Before, Stuck, Sup] });
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await until(() => events.includes('hanging'));
    clock.advanceBy(99);
    await turn();
    await turn();
    expect(closed).toBe(false);
    clock.advanceBy(1);
    await closing;
    expect(runtime.ref(Stuck).info().status).toBe('stopped');
    // The tree went on stopping after the kill.
    expect(events).toEqual(['start Before', 'hanging', 'stop Before shutdown']);
  });
});

describe('intensity and escalation through @Supervised', () => {
  @GenServer()
  class Flaky extends Probe {}
  @GenServer()
  class Steady extends Probe {}
  @Supervised({ maxRestarts: 3, withinMs: 5000, children: [Flaky] })
  class Inner {}
  @Supervised({ children: [Inner, Steady] })
  class Outer {}

  @Controller()
  class Api {
    constructor(@InjectServer(Flaky) readonly flaky: ServerRef<Flaky>) {}
  }

  const crash = async (runtime: GenServerRuntime, incarnation: number): Promise<void> => {
    await runtime
      .ref(Flaky)
      .call('explode')
      .catch(() => undefined);
    await until(() => {
      const info = runtime.ref(Flaky).info();
      return info.incarnation === incarnation && info.status === 'running';
    });
  };

  const setup = () =>
    boot({
      imports: [GenServerModule.forFeature([Flaky])],
      providers: [Flaky, Steady, Inner, Outer],
      controllers: [Api],
    });

  it('the 4th crash within the window escalates: the parent restarts the whole subtree', async () => {
    booted = await setup();
    const { runtime, app } = booted;
    const ref = app.get(Api).flaky;
    const steady = await runtime.ref(Steady).call('whoami');
    for (let n = 2; n <= 4; n++) await crash(runtime, n);
    expect(nodeAt(runtime, 0, 0)).toMatchObject({ name: 'Inner', restarts: 0 });
    await crash(runtime, 5);
    await until(() => nodeAt(runtime, 0, 0).restarts === 1);
    expect(nodeAt(runtime, 0, 0)).toMatchObject({ name: 'Inner', status: 'running', restarts: 1 });
    expect(errorLog).toHaveBeenCalledWith(
      expect.stringContaining('Inner gave up: Flaky exited'),
      expect.stringContaining('Flaky exploded'),
    );
    // The sibling was not touched, the root never noticed, and the injected ref reaches the new instance.
    await expect(runtime.ref(Steady).call('whoami')).resolves.toBe(steady);
    expect(runtime.healthy).toBe(true);
    expect(runtime.snapshot().root.children[0]).toMatchObject({ name: 'Outer', restarts: 0 });
    await expect(ref.call('whoami')).resolves.toBe(await runtime.ref(Flaky).call('whoami'));
    expect(ref.info()).toMatchObject({ incarnation: 5, status: 'running' });
  });

  it('crashes spread beyond the window do not escalate', async () => {
    booted = await setup();
    const { runtime, clock } = booted;
    for (let n = 2; n <= 6; n++) {
      await crash(runtime, n);
      clock.advanceBy(5000);
    }
    expect(nodeAt(runtime, 0, 0)).toMatchObject({ name: 'Inner', restarts: 0 });
  });

  it('a ServerRef injected for a nested server survives a one_for_one restart', async () => {
    booted = await setup();
    const ref = booted.app.get(Api).flaky;
    const first = await ref.call('whoami');
    await expect(ref.call('explode')).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
    const second = await ref.call('whoami');
    expect(second).not.toBe(first);
    expect(ref.info()).toMatchObject({ incarnation: 2, status: 'running' });
  });
});

describe('a child that fails to start', () => {
  it('fails bootstrap with an InitFailedError naming the chain; started siblings are stopped', async () => {
    @GenServer()
    class Config extends Probe {}
    @GenServer()
    class DbPool extends Probe {}
    @GenServer()
    class DbConnection {
      @Init() connect(): void {
        throw new Error('ECONNREFUSED');
      }
    }
    @Supervised({ children: [DbPool, DbConnection] })
    class DbSupervisor {}
    @Supervised({ children: [Config, DbSupervisor] })
    class AppSupervisor {}
    const error = await bootstrapError({
      providers: [Config, DbPool, DbConnection, DbSupervisor, AppSupervisor],
    });
    expect(error).toMatchObject({
      code: 'INIT_FAILED',
      supervisors: ['root', 'AppSupervisor', 'DbSupervisor'],
    });
    expect(error.message).toBe(
      'root > AppSupervisor > DbSupervisor > DbConnection failed to start: @Init connect() threw Error: ECONNREFUSED',
    );
    expect(events).toEqual(['start Config', 'start DbPool', 'stop DbPool shutdown', 'stop Config shutdown']);
  });
});

describe('bad @Supervised input fails bootstrap with a clear error', () => {
  @GenServer()
  class Db extends Probe {}
  @GenServer()
  class Cache extends Probe {}
  @Injectable()
  class Helper {}

  const expectInvalid = async (
    metadata: Parameters<typeof Test.createTestingModule>[0],
    message: string,
  ): Promise<void> => {
    const error = await bootstrapError(metadata);
    expect(error).toMatchObject({ code: 'INVALID_DEFINITION' });
    expect(error.message).toBe(message);
  };

  it('a child that is neither a GenServer nor a @Supervised class', async () => {
    @Supervised({ children: [Db, Helper] })
    class Sup {}
    await expectInvalid(
      { providers: [Db, Helper, Sup] },
      'Sup lists Helper as children[1], but it is neither a @GenServer() nor a @Supervised() class. ' +
        'List only such classes, or { child, restart?, shutdownTimeout? } specs of them.',
    );
  });

  it('an object that is not a child spec', async () => {
    @Supervised({ children: [{ server: Db } as never] })
    class Sup {}
    await expectInvalid(
      { providers: [Db, Sup] },
      'Sup lists an object as children[0], but it is neither a @GenServer() nor a @Supervised() class. ' +
        'List only such classes, or { child, restart?, shutdownTimeout? } specs of them.',
    );
  });

  it('an undefined child (a circular import)', async () => {
    @Supervised({ children: [Db, undefined as never] })
    class Sup {}
    await expectInvalid(
      { providers: [Db, Sup] },
      "Sup lists undefined as children[1]. This usually comes from a circular import: the child's class " +
        'was not defined yet when @Supervised() ran. Break the import cycle (e.g. move the class to a file ' +
        'of its own), or fix the import.',
    );
    @Supervised({ children: [{ child: undefined as never, restart: 'transient' }] })
    class Spec {}
    const error = await bootstrapError({ providers: [Spec] });
    expect(error.message).toContain(
      'Spec lists undefined as children[0].child. This usually comes from a circular import',
    );
  });

  it('a child no module provides', async () => {
    @Supervised({ children: [Db, Cache] })
    class Sup {}
    await expectInvalid(
      { providers: [Db, Sup] },
      'Sup lists Cache as a child, but no module provides Cache. Add Cache to the providers of the module ' +
        'that owns it.',
    );
  });

  it('a child listed by two supervisors', async () => {
    @Supervised({ children: [Db] })
    class First {}
    @Supervised({ children: [Cache, { child: Db, restart: 'temporary' }] })
    class Second {}
    await expectInvalid(
      { providers: [Db, Cache, First, Second] },
      'Db is listed as a child by more than one supervisor (First, Second). A process has exactly one ' +
        'supervisor: list it once.',
    );
  });

  it('a child listed twice by one supervisor', async () => {
    @Supervised({ children: [Db, Cache, Db] })
    class Sup {}
    await expectInvalid(
      { providers: [Db, Cache, Sup] },
      'Db is listed 2 times in the children of Sup. A process has exactly one supervisor: list it once.',
    );
  });

  it('a cycle of supervisors, named by its path', async () => {
    // A cycle cannot be written with class declarations (the second one is not defined yet), so apply
    // the decorators by hand, as a circular import could.
    class Top {}
    class Middle {}
    class Bottom {}
    Supervised({ children: [Middle] })(Top);
    Supervised({ children: [Db, Bottom] })(Middle);
    Supervised({ children: [Top] })(Bottom);
    await expectInvalid(
      { providers: [Db, Top, Middle, Bottom] },
      'The children of @Supervised() classes form a cycle: Top > Middle > Bottom > Top. A supervisor cannot ' +
        'be its own descendant: remove one of these listings.',
    );
    class Selfish {}
    Supervised({ children: [Selfish] })(Selfish);
    const error = await bootstrapError({ providers: [Selfish] });
    expect(error.message).toContain('form a cycle: Selfish > Selfish.');
  });

  it.each([
    [{ maxRestarts: -1 }, 'maxRestarts must be an integer >= 0, got -1'],
    [{ maxRestarts: 1.5 }, 'maxRestarts must be an integer >= 0, got 1.5'],
    [{ withinMs: 0 }, 'withinMs must be a number of ms > 0, got 0'],
    [{ withinMs: -5 }, 'withinMs must be a number of ms > 0, got -5'],
    [
      { strategy: 'one_for_none' },
      "strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got 'one_for_none'",
    ],
    [{ restart: 'sometimes' }, "restart must be 'permanent', 'transient' or 'temporary', got 'sometimes'"],
    [{ shutdownTimeout: -1 }, 'shutdownTimeout must be a number of ms >= 0 or Infinity, got -1'],
    [{ name: '' }, "name must be a non-empty string, got ''"],
    [
      { children: undefined },
      'children must be an array of GenServer and @Supervised classes, got undefined',
    ],
  ])('option %o', async (options, detail) => {
    class Sup {}
    Supervised({ children: [Db], ...(options as object) })(Sup);
    await expectInvalid({ providers: [Db, Sup] }, `@Supervised() options of Sup are invalid: ${detail}.`);
  });

  it.each([
    [{ restart: 'sometimes' }, "restart must be 'permanent', 'transient' or 'temporary', got 'sometimes'"],
    [{ shutdownTimeout: -1 }, 'shutdownTimeout must be a number of ms >= 0 or Infinity, got -1'],
    [{ shutdownTimeout: NaN }, 'shutdownTimeout must be a number of ms >= 0 or Infinity, got NaN'],
  ])('child spec %o', async (spec, detail) => {
    class Sup {}
    Supervised({ children: [Cache, { child: Db, ...(spec as object) }] })(Sup);
    await expectInvalid(
      { providers: [Db, Cache, Sup] },
      `@Supervised() options of Sup are invalid: children[1] (Db): ${detail}.`,
    );
  });

  it('a request-scoped or transient @Supervised class', async () => {
    @Supervised({ children: [Db] })
    class Sup {}
    await expectInvalid(
      { providers: [Db, { provide: Sup, useClass: Sup, scope: Scope.REQUEST }] },
      'Sup is a @Supervised() class but is request-scoped. A supervisor is one long-lived node of the process ' +
        'tree, so it must be a singleton: remove the scope (and any request-scoped dependency).',
    );
    const error = await bootstrapError({
      providers: [Db, { provide: Sup, useClass: Sup, scope: Scope.TRANSIENT }],
    });
    expect(error.message).toContain('Sup is a @Supervised() class but is transient.');
  });

  it('a @Supervised class provided by two modules', async () => {
    @Supervised({ children: [Db] })
    class Sup {}
    @Module({ providers: [Db, Sup] })
    class One {}
    @Module({ providers: [Sup] })
    class Two {}
    await expectInvalid(
      { imports: [One, Two] },
      'The @Supervised() class Sup is provided by more than one module (One, Two). A supervisor is a single ' +
        'node of the process tree: provide it in one module only.',
    );
  });

  it('a class with both @GenServer and @Supervised', async () => {
    @GenServer()
    @Supervised({ children: [Db] })
    class Both {}
    await expectInvalid(
      { providers: [Db, Both] },
      'Both has both @GenServer() and @Supervised(). A class is either a server (it handles messages) or a ' +
        "supervisor (it lists children): move the handlers to a @GenServer() class of their own and list it in Both's children.",
    );
  });

  it('a handler decorator on a @Supervised class', async () => {
    @Supervised({ children: [Db] })
    class Sup {
      @HandleCall() status(): string {
        return 'ok';
      }
    }
    await expectInvalid(
      { providers: [Db, Sup] },
      'Sup.status() has @HandleCall() but Sup is a @Supervised() class, which only lists children and handles ' +
        "no messages. Move the method to a @GenServer() class and list that class in Sup's children.",
    );
  });

  it('rejects wrong option types at compile time', () => {
    // Never called: `tsc` fails on an unused @ts-expect-error, so each line must be a type error.
    const typeErrors = (): void => {
      // @ts-expect-error children is required
      Supervised({ strategy: 'one_for_all' });
      // @ts-expect-error unknown strategy
      Supervised({ strategy: 'one_for_none', children: [Db] });
      // @ts-expect-error a child is a class or a child spec, not a name
      Supervised({ children: ['Db'] });
      // @ts-expect-error unknown restart type in a child spec
      Supervised({ children: [{ child: Db, restart: 'sometimes' }] });
    };
    expect(typeof typeErrors).toBe('function');
  });
});

describe('rootGiveUp', () => {
  @GenServer()
  class Fragile extends Probe {}

  @Injectable()
  class ShutdownProbe implements OnApplicationShutdown {
    static signals: (string | undefined)[] = [];
    onApplicationShutdown(signal?: string): void {
      ShutdownProbe.signals.push(signal);
    }
  }

  beforeEach(() => {
    ShutdownProbe.signals = [];
  });

  const giveUp = async (runtime: GenServerRuntime): Promise<void> => {
    await runtime
      .ref(Fragile)
      .call('explode')
      .catch(() => undefined);
    await until(() => !runtime.healthy);
  };

  it("'keep-serving' (default): logs, turns unhealthy and keeps the app running, shutdown hooks or not", async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    booted = await boot({ providers: [Fragile, ShutdownProbe] }, { maxRestarts: 0 }, (app) =>
      app.enableShutdownHooks(),
    );
    await giveUp(booted.runtime);
    for (let i = 0; i < 10; i++) await turn();
    expect(booted.runtime.snapshot().root.status).toBe('gave_up');
    expect(ShutdownProbe.signals).toEqual([]);
    expect(kill).not.toHaveBeenCalled();
    expect(errorLog).toHaveBeenCalledWith(
      expect.stringContaining('root gave up'),
      expect.stringContaining('Fragile exploded'),
    );
    expect(booted.app.get(ShutdownProbe)).toBeInstanceOf(ShutdownProbe);
  });

  it("'shutdown' closes the app as SIGTERM would: every teardown hook runs, then Nest re-raises the signal", async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    booted = await boot(
      { providers: [Fragile, ShutdownProbe] },
      { maxRestarts: 0, rootGiveUp: 'shutdown' },
      (app) => app.enableShutdownHooks(),
    );
    const { runtime } = booted;
    await turn();
    expect(warnLog).not.toHaveBeenCalledWith(expect.stringContaining('enableShutdownHooks'));
    await runtime
      .ref(Fragile)
      .call('explode')
      .catch(() => undefined);
    await until(() => kill.mock.calls.length > 0);
    expect(ShutdownProbe.signals).toEqual(['SIGTERM']);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM');
    expect(runtime.healthy).toBe(false);
    // Nest's close ran our onModuleDestroy: the root went from gave_up to stopped.
    expect(runtime.snapshot().root.status).toBe('stopped');
    expect(errorLog).toHaveBeenCalledWith(
      "The root supervisor gave up; rootGiveUp is 'shutdown', so the application is shutting down (SIGTERM).",
      undefined,
    );
    // Nest removed its signal listeners when it closed.
    expect(process.listenerCount('SIGTERM')).toBe(0);
    await expect(runtime.ref(Fragile).call('whoami')).rejects.toBeInstanceOf(ServerNotRunningError);
  });

  it("'shutdown' without enableShutdownHooks(): warns at bootstrap, and on give-up logs and keeps serving", async () => {
    booted = await boot({ providers: [Fragile, ShutdownProbe] }, { maxRestarts: 0, rootGiveUp: 'shutdown' });
    await turn();
    const hint =
      "rootGiveUp is 'shutdown', but nothing listens for SIGTERM, so if the root supervisor gives up " +
      'the app will keep serving, unhealthy. Call app.enableShutdownHooks() where you create the app.';
    expect(warnLog).toHaveBeenCalledWith(hint);
    await giveUp(booted.runtime);
    expect(errorLog).toHaveBeenCalledWith(
      "The root supervisor gave up and rootGiveUp is 'shutdown', but nothing listens for SIGTERM: the app " +
        'keeps serving, unhealthy. Call app.enableShutdownHooks() where you create the app.',
      undefined,
    );
    expect(ShutdownProbe.signals).toEqual([]);
  });

  it('refuses an unknown policy', async () => {
    const error = await bootstrapError({ providers: [Fragile] }, { rootGiveUp: 'exit' as never });
    expect(error).toMatchObject({ code: 'INVALID_DEFINITION' });
    expect(error.message).toBe(
      "GenServerModule option rootGiveUp must be 'keep-serving' or 'shutdown', got 'exit'.",
    );
  });
});
