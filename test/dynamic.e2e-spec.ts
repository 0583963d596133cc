import 'reflect-metadata';
import { Injectable, Module, Optional, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AlreadyStartedError,
  DynamicSupervisorRef,
  GenServer,
  GenServerModule,
  GenServerRegistry,
  HandleCall,
  HandleCast,
  Init,
  InjectDynamicSupervisor,
  InjectServer,
  ManualClock,
  MaxChildrenError,
  ServerRef,
  GenServerRuntime,
  Supervised,
  SupervisionTree,
  Terminate,
  type ExitReason,
  type LifecycleEvent,
} from 'nestjs-genserver';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads a ref through the runtime (for tests that do not inject one). */
function refOf<T extends object>(app: TestingModule, server: Type<T>): ServerRef<T> {
  return app.get(GenServerRuntime).ref(server);
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (done()) return;
    await turn();
  }
  throw new Error('condition not reached in 200 event-loop turns');
}

@Injectable()
class Scoreboard {
  readonly finished: string[] = [];
  record(entry: string): void {
    this.finished.push(entry);
  }
}

interface GameArgs {
  id: string;
  players: number;
}

/** One GenServer per board game, started on demand under a DynamicSupervisor. */
@GenServer({ restart: 'transient' })
class GameServer {
  id = '';
  seats = 0;
  moves: string[] = [];

  constructor(private readonly scoreboard: Scoreboard) {}

  @Init() setUp(args: GameArgs): void {
    this.id = args.id;
    this.seats = args.players;
  }

  @HandleCall() move(player: string, square: number): string[] {
    if (square < 0 || square > 8) throw new RangeError(`square ${square} is off the board`);
    this.moves.push(`${player}@${square}`);
    return this.moves;
  }

  @HandleCast() announce(text: string): void {
    this.moves.push(`announce ${text}`);
  }

  @Terminate() closed(reason: ExitReason): void {
    this.scoreboard.record(`${this.id} ${typeof reason === 'string' ? reason : 'crash'}`);
  }
}

@Injectable()
class Lobby {
  constructor(
    @InjectDynamicSupervisor(GameServer) readonly games: DynamicSupervisorRef<GameServer, GameArgs>,
    readonly registry: GenServerRegistry,
  ) {}
}

async function boot(
  options: { maxChildren?: number; idleTimeout?: number } = {},
  override?: (builder: ReturnType<typeof Test.createTestingModule>) => void,
): Promise<{ app: TestingModule; clock: ManualClock; lobby: Lobby; scoreboard: Scoreboard }> {
  const clock = new ManualClock();
  @Module({
    imports: [GenServerModule.forRoot({ clock }), GenServerModule.forDynamic(GameServer, options)],
    providers: [Scoreboard, Lobby],
  })
  class AppModule {}
  const builder = Test.createTestingModule({ imports: [AppModule] });
  override?.(builder);
  const app = await builder.compile();
  await app.init();
  return { app, clock, lobby: app.get(Lobby), scoreboard: app.get(Scoreboard) };
}

describe('dynamic children (GenServerModule.forDynamic)', () => {
  it('start children with their own args and DI dependencies; look them up; terminate them', async () => {
    const { app, lobby, scoreboard } = await boot();
    const g1 = await lobby.games.startChild({ id: 'g1', players: 2 }, { key: 'g1' });
    await lobby.games.startChild({ id: 'g2', players: 4 }, { key: 'g2' });
    expect(await g1.call('move', 'ann', 4)).toEqual(['ann@4']);
    expect(await lobby.games.lookup('g2')?.getState()).toMatchObject({ id: 'g2', seats: 4, moves: [] });
    expect(lobby.registry.lookup(GameServer, 'g1')?.name).toBe('GameServer[g1]');
    expect(lobby.games.countChildren()).toEqual({ total: 2, running: 2 });
    expect(lobby.games.whichChildren().map((c) => c.key)).toEqual(['g1', 'g2']);
    expect(await lobby.games.terminateChild('g1')).toBe(true);
    expect(scoreboard.finished).toEqual(['g1 shutdown']);
    expect(lobby.games.lookup('g1')).toBeUndefined();
    await app.close();
    expect(scoreboard.finished).toEqual(['g1 shutdown', 'g2 shutdown']);
  });

  it('an invalid move is rejected with a typed error; a crashed transient child restarts fresh under its key', async () => {
    const { app, lobby } = await boot();
    const game = await lobby.games.startOrGet('g', { id: 'g', players: 2 });
    await game.call('move', 'ann', 1);
    await expect(game.call('move', 'bob', 42)).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
    expect(await game.call('move', 'bob', 2)).toEqual(['bob@2']);
    expect(await lobby.games.startOrGet('g', { id: 'other', players: 9 })).toBeDefined();
    expect(await game.getState()).toMatchObject({ id: 'g' });
    await app.close();
  });

  it('a taken key is AlreadyStartedError; beyond maxChildren is MaxChildrenError', async () => {
    const { app, lobby } = await boot({ maxChildren: 1 });
    await lobby.games.startChild({ id: 'a', players: 2 }, { key: 'a' });
    await expect(lobby.games.startChild({ id: 'a', players: 2 }, { key: 'a' })).rejects.toBeInstanceOf(
      AlreadyStartedError,
    );
    await expect(lobby.games.startChild({ id: 'b', players: 2 })).rejects.toBeInstanceOf(MaxChildrenError);
    await app.close();
  });

  it('evicts a game idle for idleTimeout, running its @Terminate', async () => {
    const { app, clock, lobby, scoreboard } = await boot({ idleTimeout: 60_000 });
    const game = await lobby.games.startChild({ id: 'quiet', players: 2 }, { key: 'quiet' });
    clock.advanceBy(59_000);
    await game.call('move', 'ann', 0);
    clock.advanceBy(59_000);
    expect(scoreboard.finished).toEqual([]);
    clock.advanceBy(1_000);
    await until(() => scoreboard.finished.length === 1);
    expect(scoreboard.finished).toEqual(['quiet normal']);
    expect(lobby.registry.lookup(GameServer, 'quiet')).toBeUndefined();
    await app.close();
  });

  it('children get mocked dependencies from overrideProvider', async () => {
    const fake = { finished: [] as string[], record: (e: string) => void fake.finished.push(`fake ${e}`) };
    const { app, lobby } = await boot({}, (b) => void b.overrideProvider(Scoreboard).useValue(fake));
    await lobby.games.startChild({ id: 'm', players: 2 }, { key: 'm' });
    await lobby.games.terminateChild('m');
    expect(fake.finished).toEqual(['fake m shutdown']);
    await app.close();
  });
});

describe('GenServerRegistry topics (duplicate keys)', () => {
  it('dispatch reaches every server in a topic; a server leaves when it ends', async () => {
    const { app, lobby } = await boot();
    const refs: ServerRef<GameServer>[] = [];
    for (const id of ['a', 'b', 'c']) {
      const ref = await lobby.games.startChild({ id, players: 2 }, { key: id });
      lobby.registry.join('tournament', ref);
      refs.push(ref);
    }
    expect(lobby.registry.dispatch<GameServer>('tournament', (g) => g.cast('announce', 'round 1'))).toBe(3);
    await lobby.games.terminateChild('b');
    expect(lobby.registry.members('tournament').map((r) => r.name)).toEqual([
      'GameServer[a]',
      'GameServer[c]',
    ]);
    expect(lobby.registry.dispatch<GameServer>('tournament', (g) => g.cast('announce', 'final'))).toBe(2);
    expect((await refs[0].getState()).moves).toEqual(['announce round 1', 'announce final']);
    lobby.registry.leave('tournament', refs[0]);
    expect(lobby.registry.members('tournament')).toHaveLength(1);
    await app.close();
  });
});

@GenServer()
class Fragile {
  hits = 0;
  @HandleCall() hit(): number {
    return ++this.hits;
  }
  @HandleCall() explode(): never {
    throw new Error('fragile');
  }
}

describe('SupervisionTree, events and refs across restarts', () => {
  it('a ref held across 100 restarts still answers, and every restart is an event', async () => {
    const clock = new ManualClock();
    @Injectable()
    class Holder {
      constructor(@InjectServer(Fragile) readonly fragile: ServerRef<Fragile>) {}
    }
    @Module({
      imports: [GenServerModule.forRoot({ clock, maxRestarts: 1000 }), GenServerModule.forFeature([Fragile])],
      providers: [Fragile, Holder],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const tree = app.get(SupervisionTree);
    const seen: LifecycleEvent[] = [];
    const subscription = tree.events$.subscribe((e) => seen.push(e));
    await app.init();
    const { fragile } = app.get(Holder);
    for (let i = 0; i < 100; i++) {
      await fragile.call('hit');
      await fragile.call('explode').catch(() => undefined);
    }
    expect(await fragile.call('hit')).toBe(1);
    expect(fragile.info()).toMatchObject({ restarts: 100, incarnation: 101, status: 'running' });
    expect(seen.filter((e) => e.type === 'crashed' && e.name === 'Fragile')).toHaveLength(100);
    expect(seen.filter((e) => e.type === 'restarted' && e.name === 'Fragile')).toHaveLength(100);
    expect(seen[0]).toMatchObject({ type: 'started', kind: 'server', name: 'Fragile', restarts: 0 });
    const snapshot = tree.snapshot();
    expect(snapshot.healthy).toBe(true);
    expect(snapshot.root.children[0]).toMatchObject({
      type: 'server',
      name: 'Fragile',
      restarts: 100,
      lastCrash: { during: "call 'explode'", error: 'Error: fragile' },
      handled: { calls: 101 },
    });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    await app.close();
    expect(seen.at(-1)).toMatchObject({ type: 'stopped', kind: 'supervisor', name: 'root' });
    subscription.unsubscribe();
  });

  it('@Supervised backoff delays restarts on the clock; callers wait within their timeout', async () => {
    const clock = new ManualClock();
    @Supervised({ children: [Fragile], backoff: { minMs: 1000, maxMs: 8000 }, maxRestarts: 10 })
    class Backoff {}
    @Module({
      imports: [GenServerModule.forRoot({ clock }), GenServerModule.forFeature([Fragile])],
      providers: [Fragile, Backoff],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    const fragile = refOf(app, Fragile);
    await fragile.call('explode').catch(() => undefined);
    await until(() => fragile.info().status === 'restarting');
    const answered = fragile.withTimeout(5000).call('hit');
    clock.advanceBy(999);
    await turn();
    expect(fragile.info().status).toBe('restarting');
    clock.advanceBy(1);
    await expect(answered).resolves.toBe(1);
    await app.close();
  });

  it("whileRestarting: 'reject' fails calls at once during a restart", async () => {
    const clock = new ManualClock();
    @GenServer({ whileRestarting: 'reject' })
    class FailFast {
      @HandleCall() ping(): string {
        return 'pong';
      }
      @HandleCall() explode(): never {
        throw new Error('x');
      }
    }
    @Module({
      imports: [GenServerModule.forRoot({ clock, backoff: { minMs: 500, maxMs: 500 } })],
      providers: [FailFast],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    const ref = refOf(app, FailFast);
    await ref.call('explode').catch(() => undefined);
    await until(() => ref.info().status === 'restarting');
    await expect(ref.call('ping')).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
    clock.advanceBy(500);
    await until(() => ref.info().status === 'running');
    await expect(ref.call('ping')).resolves.toBe('pong');
    await app.close();
  });
});

describe('dynamic children: bad input', () => {
  async function bootstrapError(module: object): Promise<unknown> {
    try {
      const app = await Test.createTestingModule(module).compile();
      await app.init();
      await app.close();
      return undefined;
    } catch (error) {
      return error;
    }
  }

  it('a dynamic GenServer also listed in providers', async () => {
    const error = await bootstrapError({
      imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(GameServer)],
      providers: [Scoreboard, GameServer],
    });
    expect((error as Error).message).toContain('GameServer is registered with GenServerModule.forDynamic()');
  });

  it('a dependency of a dynamic GenServer that no module provides', async () => {
    const error = await bootstrapError({
      imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(GameServer)],
    });
    expect((error as Error).message).toContain(
      'GameServer is started as dynamic children, but its dependency Scoreboard (constructor parameter #0)',
    );
  });

  it('an @Optional() dependency may be missing', async () => {
    @GenServer()
    class Lenient {
      constructor(@Optional() readonly scoreboard?: Scoreboard) {}
      @HandleCall() has(): boolean {
        return this.scoreboard !== undefined;
      }
    }
    @Injectable()
    class User {
      constructor(@InjectDynamicSupervisor(Lenient) readonly sup: DynamicSupervisorRef<Lenient>) {}
    }
    const app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(Lenient)],
      providers: [User],
    }).compile();
    await app.init();
    const child = await app.get(User).sup.startChild();
    expect(await child.call('has')).toBe(false);
    await app.close();
  });

  it('a class that is not a GenServer', () => {
    class Plain {}
    expect(() => GenServerModule.forDynamic(Plain)).toThrow(
      'Plain is not a GenServer, but it is passed to GenServerModule.forDynamic()',
    );
  });
});
