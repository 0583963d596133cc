import 'reflect-metadata';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Agent,
  AlreadyStartedError,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  Init,
  InitFailedError,
  InjectAgent,
  InvalidDefinitionError,
  ManualClock,
  ServerCrashedError,
  ServerNotRunningError,
  SupervisionTree,
  Terminate,
  defineAgent,
  provideAgent,
  type DynamicSupervisorInfo,
  type ServerInfo,
} from 'nestjs-genserver';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (done()) return;
    await turn();
  }
  throw new Error('condition not reached in 200 event-loop turns');
}

interface Settings {
  readonly greeting: string;
  readonly loadedAt: number;
}

const Hits = defineAgent<number>('hits');
const SettingsAgent = defineAgent<Settings>('settings');

/** A ConfigService look-alike: the dependency of the settings agent's factory. */
@Injectable()
class Config {
  loads = 0;
  get(key: string): string {
    return key === 'GREETING' ? 'hello' : '';
  }
}

@Injectable()
class Stats {
  constructor(
    @InjectAgent(Hits) readonly hits: Agent<number>,
    @InjectAgent(SettingsAgent) readonly settings: Agent<Settings>,
  ) {}

  hit(): Promise<number> {
    return this.hits.getAndUpdate((n) => [n + 1, n + 1] as const);
  }
}

/** A GenServer that reads an agent in its @Init and writes one in its @Terminate. */
@GenServer()
class Greeter {
  /** What the agent held after the last @Terminate. */
  static hitsAtTerminate: number | undefined;
  greeting = '';
  constructor(
    @InjectAgent(SettingsAgent) private readonly settings: Agent<Settings>,
    @InjectAgent(Hits) private readonly hits: Agent<number>,
  ) {}

  @Init() async load(): Promise<void> {
    this.greeting = await this.settings.get((s) => s.greeting);
    await this.hits.update((n) => n + 100);
  }

  @HandleCall() greet(name: string): string {
    return `${this.greeting}, ${name}`;
  }

  @Terminate() async bye(): Promise<void> {
    // Agents stop after the servers: they still answer here.
    Greeter.hitsAtTerminate = await this.hits.getAndUpdate((n) => [n + 1000, n + 1000] as const);
  }
}

@Module({
  providers: [
    Config,
    provideAgent(Hits, { initial: 0 }),
    provideAgent(SettingsAgent, {
      useFactory: (config: Config) => {
        config.loads++;
        return { greeting: config.get('GREETING'), loadedAt: config.loads };
      },
      inject: [Config],
      callTimeout: 1000,
    }),
  ],
  exports: [Config, Hits.token, SettingsAgent.token],
})
class AgentsModule {}

async function boot(): Promise<{
  app: TestingModule;
  clock: ManualClock;
  runtime: GenServerRuntime;
  stats: Stats;
}> {
  const clock = new ManualClock();
  @Module({
    imports: [GenServerModule.forRoot({ clock }), AgentsModule],
    providers: [Greeter, Stats],
  })
  class AppModule {}
  const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return { app, clock, runtime: app.get(GenServerRuntime), stats: app.get(Stats) };
}

describe('static agents (provideAgent)', () => {
  it('are injected by @InjectAgent, computed from a value or a DI factory, and usable from a server’s @Init', async () => {
    const { app, runtime, stats } = await boot();
    expect(await stats.settings.get((s) => s)).toEqual({ greeting: 'hello', loadedAt: 1 });
    expect(await stats.hit()).toBe(101); // the Greeter's @Init added 100
    expect(await runtime.ref(Greeter).call('greet', 'ann')).toBe('hello, ann');
    expect(runtime.agent<number>('hits')).toBe(stats.hits);
    expect(stats.hits.name).toBe('hits');
    await app.close();
  });

  it('are the first children of the root, named by their token, so servers start after them', async () => {
    const { app } = await boot();
    const { root } = app.get(SupervisionTree).snapshot();
    expect(root.children.map((c) => c.name)).toEqual(['hits', 'settings', 'Greeter', 'tasks']);
    expect(root.children[1]).toMatchObject({ type: 'server', status: 'running', handled: { calls: 1 } });
    await app.close();
  });

  it('a throwing function crashes the agent; it restarts with a fresh initial state (the factory runs again)', async () => {
    const { app, stats } = await boot();
    await stats.hit();
    const crashed = await stats.hits
      .update(() => {
        throw new Error('bad hit');
      })
      .catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(ServerCrashedError);
    expect((crashed as Error).message).toBe("hits crashed while handling call 'update': Error: bad hit");
    expect(await stats.hits.get((n) => n)).toBe(0); // the value `initial: 0`, reused
    expect(stats.hits.info()).toMatchObject({ restarts: 1, status: 'running' });
    await expect(
      stats.settings.get(() => {
        throw new Error('boom');
      }),
    ).rejects.toBeInstanceOf(ServerCrashedError);
    expect(await stats.settings.get((s) => s.loadedAt)).toBe(2);
    expect(app.get(Config).loads).toBe(2);
    await app.close();
  });

  it('takes its callTimeout from provideAgent', async () => {
    const { app, clock, stats } = await boot();
    let release!: () => void;
    const blocked = stats.settings.update(
      (s) => new Promise<Settings>((resolve) => (release = () => resolve(s))),
    );
    const waiting = stats.settings.get((s) => s.greeting);
    clock.advanceBy(1000);
    await expect(waiting).rejects.toMatchObject({
      code: 'CALL_TIMEOUT',
      server: 'settings',
      timeoutMs: 1000,
    });
    await expect(blocked).rejects.toMatchObject({ code: 'CALL_TIMEOUT', messageName: 'update' });
    release();
    await app.close();
  });

  it('app.close() stops the servers first, then the agents', async () => {
    const { app, runtime, stats } = await boot();
    const greeter = runtime.ref(Greeter);
    Greeter.hitsAtTerminate = undefined;
    await app.close();
    expect(greeter.info().status).toBe('stopped');
    expect(stats.hits.info().status).toBe('stopped');
    expect(stats.settings.info().status).toBe('stopped');
    // The Greeter's @Terminate could still update the agent: 100 from its @Init, 1000 from @Terminate.
    expect(Greeter.hitsAtTerminate).toBe(1100);
    await expect(stats.hits.get((n) => n)).rejects.toBeInstanceOf(ServerNotRunningError);
  });

  it('a factory that throws fails the bootstrap with InitFailedError', async () => {
    const Broken = defineAgent<number>('broken');
    @Module({
      imports: [GenServerModule.forRoot({ clock: new ManualClock() })],
      providers: [
        provideAgent(Broken, {
          useFactory: () => {
            throw new Error('no config');
          },
        }),
      ],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const error = await app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InitFailedError);
    expect((error as Error).message).toBe(
      'root > broken failed to start: @Init initial() threw Error: no config',
    );
  });

  it('an agent provided by a lazily loaded module joins the running tree', async () => {
    const Late = defineAgent<string[]>('late');
    @Module({ providers: [provideAgent(Late, { initial: () => ['first'] })] })
    class LazyModule {}
    const { app, runtime } = await boot();
    const lazy = await app.get(LazyModuleLoader).load(() => LazyModule);
    const late = lazy.get<string, Agent<string[]>>(Late.token);
    expect(await late.get((items) => items)).toEqual(['first']);
    expect(runtime.snapshot().root.children.map((c) => c.name)).toEqual([
      'hits',
      'settings',
      'Greeter',
      'late', // joins before the task supervisors, which stop first
      'tasks',
    ]);
    await app.close();
    expect(late.info().status).toBe('stopped');
  });
});

describe('dynamic agents (GenServerRuntime.startAgent)', () => {
  it('start, find and stop agents at run time, under the `agents` dynamic supervisor', async () => {
    const { app, runtime } = await boot();
    expect(runtime.agent('cart:1')).toBeUndefined();
    expect(await runtime.stopAgent('cart:1')).toBe(false);
    const cart = await runtime.startAgent<string[]>('cart:1', () => []);
    const score = await runtime.startAgent('score', 10);
    await cart.update((items) => [...items, 'pen']);
    score.cast((n) => n + 1);
    expect(await cart.get((items) => items)).toEqual(['pen']);
    expect(await score.get((n) => n)).toBe(11);
    expect(runtime.agent<string[]>('cart:1')).toBe(cart);
    expect(cart.name).toBe('cart:1');

    const { root } = runtime.snapshot();
    expect(root.children.map((c) => c.name)).toEqual(['hits', 'settings', 'Greeter', 'agents', 'tasks']);
    const agents = root.children[3] as DynamicSupervisorInfo;
    expect(agents).toMatchObject({ type: 'dynamic_supervisor', status: 'running', childCount: 2 });
    expect(agents.children.map((c) => [c.name, c.key])).toEqual([
      ['agent[cart:1]', 'cart:1'],
      ['agent[score]', 'score'],
    ]);

    expect(await runtime.stopAgent('cart:1')).toBe(true);
    expect(runtime.agent('cart:1')).toBeUndefined();
    await expect(cart.get((items) => items)).rejects.toBeInstanceOf(ServerNotRunningError);
    // The name is free again: a new agent starts from its own initial state.
    const again = await runtime.startAgent<string[]>('cart:1', () => ['fresh']);
    expect(await again.get((items) => items)).toEqual(['fresh']);
    await app.close();
    expect(again.info().status).toBe('stopped');
    expect(score.info().status).toBe('stopped');
  });

  it('a crashed dynamic agent restarts with a fresh initial state; the same wrapper keeps working', async () => {
    const { app, runtime } = await boot();
    let made = 0;
    const session = await runtime.startAgent('session', () => ({ n: ++made }));
    await expect(
      session.get(() => {
        throw new Error('lost');
      }),
    ).rejects.toThrow("agent[session] crashed while handling call 'get': Error: lost");
    expect(await session.get((s) => s)).toEqual({ n: 2 });
    expect(runtime.agent('session')).toBe(session);
    await app.close();
  });

  it('a name already taken is AlreadyStartedError, for a dynamic and for a static agent', async () => {
    const { app, runtime } = await boot();
    await runtime.startAgent('x', 1);
    const taken = await runtime.startAgent('x', 2).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(AlreadyStartedError);
    expect((taken as Error).message).toBe(
      "agents already has a process under the key 'x'. Use GenServerRuntime.agent(name) to reach it, or stopAgent(name) first.",
    );
    await expect(runtime.startAgent('hits', 2)).rejects.toThrow(
      "agents already has a process under the key 'hits'. It is a static agent (provideAgent)",
    );
    await expect(runtime.stopAgent('hits')).rejects.toThrow(
      "GenServerRuntime.stopAgent('hits'): 'hits' is a static agent (provideAgent)",
    );
    expect(await runtime.agent<number>('x')?.get((n) => n)).toBe(1);
    await app.close();
  });

  it('concurrent first uses share one `agents` supervisor; a failing initial rejects with InitFailedError', async () => {
    const { app, runtime } = await boot();
    const started = await Promise.all(['a', 'b', 'c'].map((name) => runtime.startAgent(name, () => name)));
    expect(await Promise.all(started.map((agent) => agent.get((s) => s)))).toEqual(['a', 'b', 'c']);
    const agents = runtime.snapshot().root.children.filter((c) => c.name === 'agents');
    expect(agents).toHaveLength(1);
    const error = await runtime
      .startAgent('bad', () => {
        throw new Error('nope');
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InitFailedError);
    expect(runtime.agent('bad')).toBeUndefined();
    await app.close();
  });

  it('startAgent needs the tree running: not before bootstrap, not after close', async () => {
    let early: unknown;
    @Injectable()
    class TooEarly implements OnModuleInit {
      constructor(private readonly runtime: GenServerRuntime) {}
      async onModuleInit(): Promise<void> {
        early = await this.runtime.startAgent('early', 0).catch((e: unknown) => e);
      }
    }
    @Module({ imports: [GenServerModule.forRoot({ clock: new ManualClock() })], providers: [TooEarly] })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    expect((early as Error).message).toContain(
      "GenServerRuntime.startAgent('early') was called before the process tree runs (it is idle)",
    );
    const runtime = app.get(GenServerRuntime);
    expect(runtime.snapshot().root.children.map((c) => c.name)).toEqual(['tasks']);
    await app.close();
    await expect(runtime.startAgent('late', 0)).rejects.toThrow(
      "GenServerRuntime.startAgent('late') was called but the process tree is stopped",
    );
  });

  it('checks its arguments', async () => {
    const { app, runtime } = await boot();
    await expect(runtime.startAgent('', 0)).rejects.toThrow(
      "GenServerRuntime.startAgent() needs the agent's name, a non-empty string, got ''",
    );
    await expect(runtime.startAgent('a', 0, { restart: 'temporary' } as never)).rejects.toThrow(
      "a: unknown startAgent() option 'restart' (known: callTimeout)",
    );
    await expect(runtime.startAgent('a', 0, { callTimeout: -5 })).rejects.toThrow(
      'a: callTimeout must be a number of ms >= 0 or Infinity, got -5',
    );
    expect(runtime.snapshot().root.children.map((c) => c.name)).not.toContain('agents');
    await app.close();
  });

  it('a per-agent callTimeout applies to its calls', async () => {
    const { app, clock, runtime } = await boot();
    const slow = await runtime.startAgent('slow', 0, { callTimeout: 200 });
    let release!: () => void;
    const blocked = slow.update((n) => new Promise<number>((resolve) => (release = () => resolve(n))));
    const waiting = slow.get((n) => n);
    clock.advanceBy(200);
    await expect(waiting).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 200 });
    await expect(blocked).rejects.toMatchObject({ code: 'CALL_TIMEOUT', messageName: 'update' });
    release();
    expect((runtime.snapshot().root.children[3] as DynamicSupervisorInfo).children[0]).toMatchObject({
      name: 'agent[slow]',
    } satisfies Partial<ServerInfo>);
    await app.close();
  });
});

describe('agent definitions are checked', () => {
  it('two agents with one name fail with InvalidDefinitionError naming it', async () => {
    @Module({ providers: [provideAgent(defineAgent<number>('dup'), { initial: 1 })] })
    class First {}
    @Module({ providers: [provideAgent(defineAgent<number>('dup'), { initial: 2 })] })
    class Second {}
    @Module({ imports: [GenServerModule.forRoot({ clock: new ManualClock() }), First, Second] })
    class AppModule {}
    const duplicate = await Test.createTestingModule({ imports: [AppModule] })
      .compile()
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(InvalidDefinitionError);
    expect((duplicate as Error).message).toBe(
      "Two agents are named 'dup'. An agent is a single process: provide it in one module (with " +
        'provideAgent) and export its token there (exports: [token.token]), or give the other one another name.',
    );
  });

  it('bad options, names and tokens fail with InvalidDefinitionError', () => {
    const token = defineAgent<number>('n');
    const cases: [() => unknown, string][] = [
      [
        () => provideAgent(token, {} as never),
        'provideAgent(n) options are invalid: give exactly one of initial (the initial state, or a function that computes it) and useFactory',
      ],
      [
        () => provideAgent(token, { initial: 0, useFactory: () => 0 } as never),
        'provideAgent(n) options are invalid: give exactly one of initial',
      ],
      [() => provideAgent(token, { useFactory: 5 } as never), 'useFactory must be a function'],
      [() => provideAgent(token, { initial: 0, inject: [] } as never), 'inject goes with useFactory'],
      [() => provideAgent(token, { useFactory: () => 0, inject: 'x' } as never), 'inject must be an array'],
      [
        () => provideAgent(token, { initial: 0, restart: 'never' as never }),
        "provideAgent(n) options are invalid: n: restart must be 'permanent', 'transient' or 'temporary', got 'never'.",
      ],
      [
        () => provideAgent(token, { initial: 0, shutdownTimeout: -1 }),
        'shutdownTimeout must be a number of ms',
      ],
      [() => provideAgent(token, { initial: 0, timeout: 5 } as never), "unknown agent option 'timeout'"],
      [() => provideAgent(token, null as never), 'expected { initial } or { useFactory, inject? }, got null'],
      [() => defineAgent(''), "defineAgent() needs the agent's name, a non-empty string, got ''."],
      [
        () => provideAgent(undefined as never, { initial: 0 }),
        'provideAgent() needs a token made by defineAgent(), got undefined',
      ],
      [
        () => InjectAgent({ name: 'x', token: 'x' } as never),
        '@InjectAgent() needs a token made by defineAgent(), got an object',
      ],
    ];
    for (const [act, message] of cases) {
      let error: unknown;
      try {
        act();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidDefinitionError);
      expect((error as Error).message).toContain(message);
    }
  });

  it('a non-function initial value is used as is at every start', async () => {
    const shared = { count: 0 };
    const Shared = defineAgent<{ count: number }>('shared');
    @Module({
      imports: [GenServerModule.forRoot({ clock: new ManualClock() })],
      providers: [provideAgent(Shared, { initial: shared })],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    const agent = app.get<string, Agent<{ count: number }>>(Shared.token);
    expect(await agent.get((s) => s)).toBe(shared);
    await agent.stop(); // permanent: the root restarts it
    await until(() => agent.info().status === 'running' && agent.info().restarts === 1);
    expect(await agent.get((s) => s)).toBe(shared);
    await app.close();
  });
});
