/**
 * Isolation: the library keeps no state at module level that two applications could share. Two apps
 * built from the SAME module classes — same GenServer classes, same dynamic child key, same agent name,
 * same registry topic — live side by side in one Jest worker without seeing each other: each has its
 * own clock, servers, periodic jobs, registry, agents, task supervisors and lifecycle events, and a
 * crash, a give-up or a close in one leaves the other as it was. The last block runs several tests
 * at once (`it.concurrent`), each with its own app and clock, their awaits interleaving.
 *
 * Each assertion is made so that it fails if the thing were shared: the apps start at different times,
 * do different amounts of work, and use the same names.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type Agent,
  type DynamicSupervisorRef,
  GenServer,
  GenServerModule,
  GenServerRegistry,
  HandleCall,
  Init,
  InjectAgent,
  InjectDynamicSupervisor,
  Periodic,
  PeriodicRegistry,
  ServerNotRunningError,
  defineAgent,
  provideAgent,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

const Hits = defineAgent<number>('hits');

@GenServer()
class Heartbeat {
  beats = 0;
  @Periodic('1m') beat(): void {
    this.beats++;
  }
  @HandleCall() count(): number {
    return this.beats;
  }
}

@GenServer()
class Fragile {
  @HandleCall() ping(): string {
    return 'pong';
  }
}

@GenServer({ restart: 'transient' })
class Game {
  moves: string[] = [];
  @Init() init({ first }: { first: string }): void {
    this.moves.push(first);
  }
  @HandleCall() move(square: string): string[] {
    this.moves.push(square);
    return this.moves;
  }
}

@Injectable()
class Lobby {
  constructor(
    @InjectDynamicSupervisor(Game) readonly games: DynamicSupervisorRef<Game, { first: string }>,
    @InjectAgent(Hits) readonly hits: Agent<number>,
    readonly registry: GenServerRegistry,
    readonly periodic: PeriodicRegistry,
  ) {}
}

@Module({
  imports: [GenServerModule.forDynamic(Game), GenServerModule.forTaskSupervisor('jobs')],
  providers: [Heartbeat, Fragile, Lobby, provideAgent(Hits, { initial: 0 })],
})
class AppModule {}

/** One app; the root gives up at the second crash within a minute. */
function boot(now: string): Promise<GenServerHarness> {
  return GenServerTesting.start(
    Test.createTestingModule({
      imports: [GenServerModule.forRoot({ maxRestarts: 1, withinMs: 60_000 }), AppModule],
    }),
    { now },
  );
}

const A_START = '2026-01-01T00:00:00Z';
const B_START = '2030-06-15T12:00:00Z';

describe('two apps from the same modules in one test', () => {
  let a: GenServerHarness;
  let b: GenServerHarness;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined); // the crashes below
    a = await boot(A_START);
    b = await boot(B_START);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    jest.restoreAllMocks();
  });

  it('each has its own clock: advancing one ticks only its own periodic job', async () => {
    await a.advanceBy('10m');
    expect(b.now()).toBe(Date.parse(B_START));
    expect(await a.ref(Heartbeat).call('count')).toBe(10);
    expect(await b.ref(Heartbeat).call('count')).toBe(0);

    await b.advanceBy('3m');
    expect(await a.ref(Heartbeat).call('count')).toBe(10);
    expect(await b.ref(Heartbeat).call('count')).toBe(3);
    expect(a.app.get(Lobby).periodic.get('Heartbeat.beat')).toMatchObject({ runs: 10 });
    expect(b.app.get(Lobby).periodic.get('Heartbeat.beat')).toMatchObject({
      runs: 3,
      lastRunAt: Date.parse(B_START) + 3 * 60_000,
    });
  });

  it("dynamic child 'game-1', the registry, agents and task supervisors exist separately in each", async () => {
    const lobbyA = a.app.get(Lobby);
    const lobbyB = b.app.get(Lobby);
    const gameA = await lobbyA.games.startChild({ first: 'e4' }, { key: 'game-1' });
    const gameB = await lobbyB.games.startChild({ first: 'd4' }, { key: 'game-1' }); // the key is free here
    await gameA.call('move', 'e5');
    expect(await a.getState(Game, 'game-1')).toMatchObject({ moves: ['e4', 'e5'] });
    expect(await b.getState(Game, 'game-1')).toMatchObject({ moves: ['d4'] });
    expect(await lobbyA.registry.lookup(Game, 'game-1')?.getState()).toMatchObject({ moves: ['e4', 'e5'] });
    expect(await lobbyB.registry.lookup(Game, 'game-1')?.getState()).toMatchObject({ moves: ['d4'] });

    lobbyA.registry.join('tournament', gameA);
    expect(lobbyA.registry.members('tournament').map((ref) => ref.name)).toEqual(['Game[game-1]']);
    expect(lobbyB.registry.members('tournament')).toEqual([]);

    await lobbyA.hits.update((n) => n + 5);
    expect(await lobbyA.hits.get((n) => n)).toBe(5);
    expect(await lobbyB.hits.get((n) => n)).toBe(0);
    await a.runtime.startAgent('cart:1', () => ['apple']);
    await b.runtime.startAgent('cart:1', () => ['pear']); // the name is free here too
    expect(await a.runtime.agent<string[]>('cart:1')?.get((items) => items)).toEqual(['apple']);
    expect(await b.runtime.agent<string[]>('cart:1')?.get((items) => items)).toEqual(['pear']);

    a.runtime.taskSupervisor('jobs').start(async () => undefined, { name: 'only-in-a' });
    await a.idle();
    expect(a.runtime.taskSupervisor('jobs').info()).toMatchObject({ started: 1, succeeded: 1 });
    expect(b.runtime.taskSupervisor('jobs').info()).toMatchObject({ started: 0, succeeded: 0 });

    expect(await lobbyA.games.terminateChild('game-1')).toBe(true);
    expect(lobbyA.games.lookup('game-1')).toBeUndefined();
    expect(await gameB.call('move', 'd5')).toEqual(['d4', 'd5']);
  });

  it('a crash and a give-up in one leave the other healthy; each records only its own events', async () => {
    await a.app.get(Lobby).games.startChild({ first: 'e4' }, { key: 'game-1' });
    await b.app.get(Lobby).games.startChild({ first: 'd4' }, { key: 'game-1' });
    await a.server(Game, 'game-1').crash();
    expect(a.events.types(Game, 'game-1')).toEqual(['started', 'crashed', 'restarted']);
    expect(b.events.types(Game, 'game-1')).toEqual(['started']);

    await a.crash(Fragile);
    await a.crash(Fragile); // the second crash within a minute: A's root gives up
    expect(a.events.types('root')).toContain('gave_up');
    expect(a.runtime.healthy).toBe(false);
    await expect(a.ref(Heartbeat).call('count')).rejects.toBeInstanceOf(ServerNotRunningError);

    expect(b.runtime.healthy).toBe(true);
    expect(b.events.types('root')).toEqual(['started']);
    expect(b.events.types(Fragile)).toEqual(['started']);
    expect(b.info(Fragile)).toMatchObject({ status: 'running', restarts: 0 });
    await b.advanceBy('2m');
    expect(await b.ref(Heartbeat).call('count')).toBe(2);

    // Every event A recorded happened on A's clock, every event B recorded on B's.
    expect(a.events.all.every((e) => e.at < Date.parse(B_START))).toBe(true);
    expect(b.events.all.every((e) => e.at >= Date.parse(B_START))).toBe(true);
    expect(b.events.all.filter((e) => e.type === 'crashed')).toEqual([]);
  });

  it('closing one leaves the other serving', async () => {
    await a.close();
    await expect(a.ref(Fragile).call('ping')).rejects.toBeInstanceOf(ServerNotRunningError);
    expect(a.events.last(Heartbeat)?.type).toBe('stopped');

    expect(await b.ref(Fragile).call('ping')).toBe('pong');
    await b.advanceBy('5m');
    expect(await b.ref(Heartbeat).call('count')).toBe(5);
    expect(b.events.types(Heartbeat)).toEqual(['started']);
  });
});

/**
 * `arrive()` resolves once `parties` callers have arrived: here, once every concurrent test got there.
 * `release()` opens it anyway, so a test that fails early does not leave the others waiting.
 */
function barrier(parties: number): { arrive: () => Promise<void>; release: () => void } {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive: () => {
      if (++arrived === parties) open();
      return opened;
    },
    release: () => open(),
  };
}

describe('tests running concurrently, each with its own app and clock', () => {
  const apps = [
    { player: 'ann', now: '2026-01-01T00:00:00Z', minutes: 3, moves: ['a1'] },
    { player: 'bob', now: '2027-01-01T00:00:00Z', minutes: 7, moves: ['b1', 'b2'] },
    { player: 'cid', now: '2028-01-01T00:00:00Z', minutes: 11, moves: ['c1', 'c2', 'c3'] },
    { player: 'dee', now: '2029-01-01T00:00:00Z', minutes: 13, moves: [] },
  ];
  const booted = barrier(apps.length);
  const advanced = barrier(apps.length);

  it.concurrent.each(apps)('$player sees only its own state', async ({ player, now, minutes, moves }) => {
    const harness = await boot(now);
    try {
      await booted.arrive(); // every app is up before any clock moves (this deadlocks if run one by one)
      const lobby = harness.app.get(Lobby);
      const game = await lobby.games.startChild({ first: player }, { key: 'game-1' });
      for (const square of moves) {
        await game.call('move', square);
        await harness.advanceBy('1m'); // each step yields: the other tests run in between
      }
      await harness.advanceBy(`${minutes - moves.length}m`);
      await lobby.hits.update((n) => n + minutes);
      await advanced.arrive(); // every app has done its work before any asserts

      expect(harness.now()).toBe(Date.parse(now) + minutes * 60_000);
      expect(await harness.ref(Heartbeat).call('count')).toBe(minutes);
      expect(await harness.getState(Game, 'game-1')).toMatchObject({ moves: [player, ...moves] });
      expect(await lobby.hits.get((n) => n)).toBe(minutes);
      expect(lobby.games.whichChildren().map((child) => child.key)).toEqual(['game-1']);
      const mine = (at: number) => at >= Date.parse(now) && at <= harness.now();
      expect(harness.events.all.filter((e) => !mine(e.at))).toEqual([]); // every event is on its own clock
      expect(harness.events.types(Game, 'game-1')).toEqual(['started']);
    } finally {
      booted.release();
      advanced.release();
      await harness.close();
    }
  });
});
