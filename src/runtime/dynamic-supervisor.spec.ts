import { DynamicSupervisor } from './dynamic-supervisor.js';
import { AlreadyStartedError } from './errors/already-started.error.js';
import { MaxChildrenError } from './errors/max-children.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import type { ExitReason } from './exit-reason.js';
import { ManualClock } from './manual-clock.js';
import type { RestartType, ServerSpec } from './server-spec.js';
import { Supervisor } from './supervisor.js';
import { silent, until } from './spec-helpers.js';

class Game {
  players: string[] = [];
  id = '';
  join(player: string): string[] {
    this.players.push(player);
    return this.players;
  }
  boom(): never {
    throw new Error('bad move');
  }
}

function gameSpec(
  terminated: string[],
  restart: RestartType = 'transient',
  initDelay?: Promise<void>,
): ServerSpec<Game> {
  return {
    name: 'Game',
    restart,
    create: () => new Game(),
    init(this: Game, args: unknown) {
      this.id = (args as { id: string }).id;
      return initDelay;
    },
    terminate(this: Game, reason: ExitReason) {
      terminated.push(`${this.id} ${typeof reason === 'string' ? reason : 'crash'}`);
    },
    calls: { join: Game.prototype.join, boom: Game.prototype.boom },
  };
}

describe('DynamicSupervisor', () => {
  let clock: ManualClock;
  let terminated: string[];
  beforeEach(() => {
    clock = new ManualClock();
    terminated = [];
  });

  function games(
    options: { maxChildren?: number; idleTimeout?: number; maxRestarts?: number; restart?: RestartType } = {},
  ) {
    return new DynamicSupervisor<Game>({
      name: 'Games',
      spec: gameSpec(terminated, options.restart),
      clock,
      logger: silent,
      maxChildren: options.maxChildren,
      idleTimeout: options.idleTimeout,
      maxRestarts: options.maxRestarts,
    });
  }

  it('starts children with their own args and keys, and terminates them', async () => {
    const sup = games();
    await sup.start();
    const a = await sup.startChild({ id: 'a' }, { key: 'game-a' });
    const b = await sup.startChild({ id: 'b' });
    expect(await a.call('join', ['ann'])).toEqual(['ann']);
    expect(await b.getState()).toMatchObject({ id: 'b' });
    expect(sup.lookup('game-a')).toBe(a);
    expect(a.name).toBe('Game[game-a]');
    expect(sup.countChildren()).toEqual({ total: 2, running: 2 });
    expect(sup.whichChildren()).toEqual([
      { name: 'Game[game-a]', key: 'game-a', status: 'running', restarts: 0 },
      { name: 'Game', status: 'running', restarts: 0 },
    ]);
    expect(await sup.terminateChild('game-a')).toBe(true);
    expect(terminated).toEqual(['a shutdown']);
    expect(sup.lookup('game-a')).toBeUndefined();
    expect(await sup.terminateChild('game-a')).toBe(false);
    expect(sup.countChildren()).toEqual({ total: 1, running: 1 });
    await expect(a.call('join', ['x'])).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
  });

  it('refuses a taken key with AlreadyStartedError and a child beyond maxChildren with MaxChildrenError', async () => {
    const sup = games({ maxChildren: 2 });
    await sup.start();
    await sup.startChild({ id: 'a' }, { key: 'k' });
    await expect(sup.startChild({ id: 'a2' }, { key: 'k' })).rejects.toBeInstanceOf(AlreadyStartedError);
    await sup.startChild({ id: 'b' });
    const error = await sup.startChild({ id: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxChildrenError);
    expect((error as Error).message).toContain('Games already runs its maximum of 2 children');
  });

  it('startOrGet gives concurrent callers the same child, even while its init is still running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sup = new DynamicSupervisor<Game>({
      name: 'Games',
      spec: gameSpec(terminated, 'transient', gate),
      clock,
      logger: silent,
    });
    await sup.start();
    const first = sup.startOrGet('g', { id: 'g' });
    const second = sup.startOrGet('g', { id: 'other' });
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(await a.getState()).toMatchObject({ id: 'g' });
    expect(sup.countChildren().total).toBe(1);
  });

  it('restarts a crashed transient child with the same args and key; a normal exit is final', async () => {
    const sup = games();
    await sup.start();
    const a = await sup.startChild({ id: 'a' }, { key: 'a' });
    await a.call('join', ['ann']);
    await a.call('boom', []).catch(() => undefined);
    await until(() => a.status === 'running');
    expect(await a.getState()).toMatchObject({ id: 'a', players: [] });
    expect(sup.lookup('a')).toBe(a);
    await a.stop('normal');
    expect(sup.lookup('a')).toBeUndefined();
    expect(sup.countChildren().total).toBe(0);
  });

  it('a temporary child that crashes is forgotten and its key is free again', async () => {
    const sup = games({ restart: 'temporary' });
    await sup.start();
    const a = await sup.startChild({ id: 'a' }, { key: 'a' });
    await a.call('boom', []).catch(() => undefined);
    await until(() => sup.lookup('a') === undefined);
    await expect(sup.startChild({ id: 'a' }, { key: 'a' })).resolves.toBeDefined();
  });

  it('evicts a child idle for idleTimeout ms, running its @Terminate', async () => {
    const sup = games({ idleTimeout: 1000 });
    await sup.start();
    const a = await sup.startChild({ id: 'a' }, { key: 'a' });
    await sup.startChild({ id: 'b' }, { key: 'b' });
    clock.advanceBy(900);
    await a.call('join', ['ann']);
    clock.advanceBy(100);
    await until(() => terminated.length === 1);
    expect(terminated).toEqual(['b normal']);
    expect(sup.lookup('b')).toBeUndefined();
    clock.advanceBy(900);
    await until(() => terminated.length === 2);
    expect(sup.countChildren().total).toBe(0);
  });

  it('does not count a state read as use: a child only looked at is still evicted', async () => {
    const sup = games({ idleTimeout: 1000 });
    await sup.start();
    const a = await sup.startChild({ id: 'a' }, { key: 'a' });
    clock.advanceBy(900);
    await a.getState();
    clock.advanceBy(100);
    await until(() => terminated.length === 1);
    expect(terminated).toEqual(['a normal']);
  });

  it('counts restarts over all children; past the limit it stops them all and escalates', async () => {
    const root = new Supervisor({ name: 'root', clock, logger: silent, maxRestarts: 5 });
    const sup = games({ maxRestarts: 1 });
    root.add(sup);
    await root.start();
    const a = await sup.startChild({ id: 'a' });
    const b = await sup.startChild({ id: 'b' });
    await a.call('boom', []).catch(() => undefined);
    await until(() => a.status === 'running');
    await b.call('boom', []).catch(() => undefined);
    await until(() => sup.status === 'running' && sup.info().restarts === 1);
    expect(sup.countChildren().total).toBe(0);
    expect(a.status).toBe('stopped');
    expect(terminated).toContain('a shutdown');
  });

  it('a failing init rejects startChild with the chain and leaves no child behind', async () => {
    const sup = new DynamicSupervisor<Game>({
      name: 'Games',
      spec: { ...gameSpec(terminated), init: () => Promise.reject(new Error('no board')) },
      clock,
      logger: silent,
    });
    await sup.start();
    await expect(sup.startChild({}, { key: 'x' })).rejects.toThrow('Games > Game[x] failed to start');
    expect(sup.lookup('x')).toBeUndefined();
    expect(sup.countChildren().total).toBe(0);
  });

  it('refuses a key that is not a string with a TypeError, and starts nothing', async () => {
    const sup = games();
    await sup.start();
    const bad = sup.startChild({ id: 'n' }, { key: 42 as unknown as string });
    await expect(bad).rejects.toThrow(TypeError);
    await expect(sup.startOrGet(42 as unknown as string, { id: 'n' })).rejects.toThrow(
      "Games: a child's key must be a string, got 42 (number); convert it, e.g. String(id)",
    );
    expect(sup.countChildren().total).toBe(0);
    await sup.startChild({ id: 'n' }, { key: '42' });
    expect(sup.lookup('42')).toBeDefined();
    await sup.stop();
  });

  it('stops every child at shutdown and then refuses new ones', async () => {
    const sup = games();
    await sup.start();
    for (const id of ['a', 'b', 'c']) await sup.startChild({ id });
    await sup.stop();
    expect(terminated.sort()).toEqual(['a shutdown', 'b shutdown', 'c shutdown']);
    await expect(sup.startChild({ id: 'd' })).rejects.toThrow(ServerNotRunningError);
    await expect(sup.startChild({ id: 'd' })).rejects.toThrow(
      'Games cannot handle startChild(): it is stopped',
    );
    expect(sup.info()).toMatchObject({ type: 'dynamic_supervisor', status: 'stopped', childCount: 0 });
  });
});
