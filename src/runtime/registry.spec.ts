import { AlreadyStartedError } from './errors/already-started.error.js';
import { ManualClock } from './manual-clock.js';
import { Registry } from './registry.js';
import { ServerProcess } from './server-process.js';
import { silent } from './spec-helpers.js';

class Room {
  heard: string[] = [];
  say(text: string): void {
    this.heard.push(text);
  }
}

describe('Registry', () => {
  const clock = new ManualClock();
  const room = (name: string) =>
    new ServerProcess<Room>(
      { name, create: () => new Room(), casts: { say: Room.prototype.say } },
      { clock, logger: silent },
    );

  it('unique keys: lookup, a taken key is an AlreadyStartedError, and the entry goes when the process ends', async () => {
    const registry = new Registry('names', 'unique', silent);
    const a = room('a');
    const b = room('b');
    await a.start();
    await b.start();
    registry.register('lobby', a);
    registry.register('lobby', a);
    expect(() => registry.register('lobby', b)).toThrow(AlreadyStartedError);
    expect(registry.lookup('lobby')).toBe(a);
    await a.stop();
    expect(registry.lookup('lobby')).toBeUndefined();
    registry.register('lobby', b);
    expect(registry.lookup('lobby')).toBe(b);
  });

  it('keeps an entry across a restart (the process outlives its instances)', async () => {
    const registry = new Registry('names', 'unique', silent);
    const a = new ServerProcess<Room>(
      {
        name: 'a',
        create: () => new Room(),
        casts: {
          boom: () => {
            throw new Error('x');
          },
        },
      },
      { clock, logger: silent },
    );
    a.setExitListener(() => true);
    await a.start();
    registry.register('k', a);
    a.cast('boom', []);
    await new Promise((r) => setImmediate(r));
    expect(a.status).toBe('restarting');
    await a.restart();
    expect(registry.lookup('k')).toBe(a);
  });

  it('duplicate keys: dispatch reaches every process under the key; ended ones drop out', async () => {
    const registry = new Registry<ServerProcess<Room>>('topics', 'duplicate', silent);
    const rooms = [room('r1'), room('r2'), room('r3')];
    for (const r of rooms) {
      await r.start();
      registry.register('news', r);
    }
    expect(registry.dispatch('news', (r) => r.cast('say', ['hello']))).toBe(3);
    await rooms[1].stop();
    expect(registry.lookupAll('news')).toEqual([rooms[0], rooms[2]]);
    expect(registry.dispatch('news', (r) => r.cast('say', ['again']))).toBe(2);
    expect(registry.dispatch('nobody', () => undefined)).toBe(0);
    const states = await Promise.all([rooms[0].getState(), rooms[2].getState()]);
    expect(states.map((s) => s.heard)).toEqual([
      ['hello', 'again'],
      ['hello', 'again'],
    ]);
    registry.unregister('news', rooms[0]);
    expect(registry.size).toBe(1);
    expect(registry.keyList()).toEqual(['news']);
  });

  it('a failing delivery is logged and skipped; the others still get theirs', async () => {
    const warnings: string[] = [];
    const registry = new Registry<ServerProcess<Room>>('topics', 'duplicate', {
      ...silent,
      warn: (m) => void warnings.push(m),
    });
    const a = room('a');
    const b = room('b');
    await a.start();
    await b.start();
    registry.register('t', a);
    registry.register('t', b);
    let first = true;
    const reached = registry.dispatch('t', () => {
      if (first) {
        first = false;
        throw new Error('stopping');
      }
    });
    expect(reached).toBe(1);
    expect(warnings[0]).toContain("dispatch to a under 't' failed");
  });
});
