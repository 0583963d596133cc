import type { ExitReason } from './exit-reason.js';
import type { RuntimeLogger } from './logger.js';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import type { RestartType } from './server-spec.js';
import type { SupervisedChild } from './supervised-child.js';
import { Supervisor } from './supervisor.js';
import { silent, turn, until } from './spec-helpers.js';

class Worker {
  static created = 0;
  readonly id = ++Worker.created;
  hits = 0;
  hit(): number {
    return ++this.hits;
  }
  boom(): never {
    throw new Error('boom');
  }
  whoami(): number {
    return this.id;
  }
}

function worker(name: string, clock: ManualClock, order: string[], restart: RestartType = 'permanent') {
  return new ServerProcess<Worker>(
    {
      name,
      restart,
      create: () => new Worker(),
      init: () => void order.push(`start ${name}`),
      terminate: (reason: ExitReason) =>
        void order.push(`stop ${name} ${typeof reason === 'string' ? reason : 'crash'}`),
      calls: { hit: Worker.prototype.hit, boom: Worker.prototype.boom, whoami: Worker.prototype.whoami },
      casts: { boom: Worker.prototype.boom },
    },
    { clock, logger: silent },
  );
}

describe('Supervisor (one_for_one)', () => {
  let clock: ManualClock;
  let order: string[];
  beforeEach(() => {
    clock = new ManualClock();
    order = [];
  });

  it('starts children in order and stops them in reverse', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    for (const n of ['a', 'b', 'c']) sup.add(worker(n, clock, order));
    await sup.start();
    await sup.stop();
    expect(order).toEqual([
      'start a',
      'start b',
      'start c',
      'stop c shutdown',
      'stop b shutdown',
      'stop a shutdown',
    ]);
    expect(sup.status).toBe('stopped');
  });

  it('stops the started children when a later one fails to start', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    sup.add(worker('a', clock, order));
    sup.add(
      new ServerProcess(
        { name: 'bad', create: () => ({}), init: () => Promise.reject(new Error('nope')) },
        { clock, logger: silent },
      ),
    );
    await expect(sup.start()).rejects.toThrow('bad failed to start');
    expect(order).toEqual(['start a', 'stop a shutdown']);
  });

  it('restarts only the crashed child, with a fresh instance', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    const a = worker('a', clock, order);
    const b = worker('b', clock, order);
    sup.add(a);
    sup.add(b);
    await sup.start();
    await b.call('hit', []);
    const firstA = await a.call('whoami', []);
    await a.call('boom', []).catch(() => undefined);
    expect(await a.call('whoami', [])).not.toBe(firstA);
    expect(await b.call('hit', [])).toBe(2);
    expect(a.info().restarts).toBe(1);
  });

  it('follows restart types: transient is not restarted after a normal stop, temporary never', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    const perm = worker('perm', clock, order, 'permanent');
    const trans = worker('trans', clock, order, 'transient');
    const temp = worker('temp', clock, order, 'temporary');
    [perm, trans, temp].forEach((c) => sup.add(c));
    await sup.start();
    await perm.stop('normal');
    await trans.stop('normal');
    await temp.call('boom', []).catch(() => undefined);
    await turn();
    expect(perm.status).toBe('running');
    expect(trans.status).toBe('stopped');
    expect(temp.status).toBe('failed');
    const trans2 = worker('trans2', clock, order, 'transient');
    const sup2 = new Supervisor({ name: 's2', clock, logger: silent });
    sup2.add(trans2);
    await sup2.start();
    await trans2.call('boom', []).catch(() => undefined);
    expect(await trans2.call('hit', [])).toBe(1);
  });

  it('gives up after maxRestarts within withinMs, stops its children and reports once', async () => {
    const gaveUp: string[] = [];
    const sup = new Supervisor({
      name: 'root',
      clock,
      logger: silent,
      maxRestarts: 2,
      withinMs: 1000,
      onGiveUp: (_s, last) => gaveUp.push(last.child),
    });
    const a = worker('a', clock, order);
    const b = worker('b', clock, order);
    sup.add(a);
    sup.add(b);
    await sup.start();
    await a.call('boom', []).catch(() => undefined);
    clock.advanceBy(400);
    await a.call('boom', []).catch(() => undefined);
    clock.advanceBy(400);
    await a.call('boom', []).catch(() => undefined);
    await turn();
    await turn();
    expect(sup.status).toBe('gave_up');
    expect(gaveUp).toEqual(['a']);
    expect(b.status).toBe('stopped');
    await expect(a.call('hit', [])).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
  });

  it('forgets restarts older than the window', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent, maxRestarts: 1, withinMs: 1000 });
    const a = worker('a', clock, order);
    sup.add(a);
    await sup.start();
    for (let i = 0; i < 5; i++) {
      await a.call('boom', []).catch(() => undefined);
      clock.advanceBy(1000);
      expect(await a.call('hit', [])).toBe(1);
    }
    expect(sup.status).toBe('running');
  });

  describe.each([
    ['one_for_one', { first: ['a'], middle: ['b'], last: ['c'] }],
    ['one_for_all', { first: ['a', 'b', 'c'], middle: ['a', 'b', 'c'], last: ['a', 'b', 'c'] }],
    ['rest_for_one', { first: ['a', 'b', 'c'], middle: ['b', 'c'], last: ['c'] }],
  ] as const)('%s', (strategy, expected) => {
    it.each(['first', 'middle', 'last'] as const)('a crash in the %s child', async (which) => {
      const sup = new Supervisor({ name: 'root', clock, logger: silent, strategy });
      const children = ['a', 'b', 'c'].map((n) => worker(n, clock, order));
      children.forEach((c) => sup.add(c));
      await sup.start();
      const before = await Promise.all(children.map((c) => c.call('whoami', [])));
      const crashing = children[{ first: 0, middle: 1, last: 2 }[which]];
      order.length = 0;
      await crashing.call('boom', []).catch(() => undefined);
      await until(() => order.filter((line) => line.startsWith('start')).length === expected[which].length);
      // Every child answers again, from a new instance exactly when it was part of the restart.
      const after = await Promise.all(children.map((c) => c.call('whoami', [])));
      const replaced = ['a', 'b', 'c'].filter((_, i) => after[i] !== before[i]);
      expect(replaced).toEqual(expected[which]);
      // Siblings stop last to first, then the group starts in order.
      const siblings = expected[which].filter((n) => n !== crashing.name);
      expect(order).toEqual([
        `stop ${crashing.name} crash`,
        ...[...siblings].reverse().map((n) => `stop ${n} shutdown`),
        ...expected[which].map((n) => `start ${n}`),
      ]);
      expect(sup.info()).toMatchObject({ strategy, status: 'running' });
    });
  });

  it('one_for_all does not restart a temporary sibling it stopped', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent, strategy: 'one_for_all' });
    const a = worker('a', clock, order);
    const temp = worker('temp', clock, order, 'temporary');
    sup.add(a);
    sup.add(temp);
    await sup.start();
    await a.call('boom', []).catch(() => undefined);
    await until(() => order.includes('start a'));
    expect(await a.call('hit', [])).toBe(1);
    expect(temp.status).toBe('stopped');
    await expect(temp.call('hit', [])).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
  });

  it('counts a group restart once against the intensity', async () => {
    const sup = new Supervisor({
      name: 'root',
      clock,
      logger: silent,
      strategy: 'one_for_all',
      maxRestarts: 1,
    });
    const a = worker('a', clock, order);
    const b = worker('b', clock, order);
    sup.add(a);
    sup.add(b);
    await sup.start();
    order.length = 0;
    await a.call('boom', []).catch(() => undefined);
    await until(() => order.includes('start b'));
    expect(await b.call('hit', [])).toBe(1);
    expect(sup.status).toBe('running');
  });

  describe('nested supervisors', () => {
    // root ─┬─ a
    //       ├─ mid ─┬─ b
    //       │       └─ leaf ─┬─ c
    //       │                └─ d
    //       └─ e
    function tree(limits: { root?: number; mid?: number; leaf?: number } = {}) {
      const gaveUp: string[] = [];
      const onGiveUp = (s: Supervisor) => void gaveUp.push(s.name);
      const root = new Supervisor({
        name: 'root',
        clock,
        logger: silent,
        maxRestarts: limits.root,
        onGiveUp,
      });
      const mid = new Supervisor({ name: 'mid', clock, logger: silent, maxRestarts: limits.mid, onGiveUp });
      const leaf = new Supervisor({
        name: 'leaf',
        clock,
        logger: silent,
        maxRestarts: limits.leaf,
        onGiveUp,
      });
      const w = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [n, worker(n, clock, order)]));
      leaf.add(w.c);
      leaf.add(w.d);
      mid.add(w.b);
      mid.add(leaf);
      root.add(w.a);
      root.add(mid);
      root.add(w.e);
      return { root, mid, leaf, w, gaveUp };
    }

    it('start depth-first in list order and stop in exact reverse', async () => {
      const { root } = tree();
      await root.start();
      await root.stop();
      expect(order).toEqual([
        'start a',
        'start b',
        'start c',
        'start d',
        'start e',
        'stop e shutdown',
        'stop d shutdown',
        'stop c shutdown',
        'stop b shutdown',
        'stop a shutdown',
      ]);
      expect(root.info()).toMatchObject({
        type: 'supervisor',
        status: 'stopped',
        children: [
          { name: 'a' },
          { name: 'mid', children: [{ name: 'b' }, { name: 'leaf' }] },
          { name: 'e' },
        ],
      });
    });

    it('escalate a give-up through three levels to the root, which stays down', async () => {
      const { root, w, gaveUp } = tree({ root: 0, mid: 0, leaf: 0 });
      await root.start();
      await w.c.call('boom', []).catch(() => undefined);
      await until(() => gaveUp.length === 3);
      expect(gaveUp).toEqual(['leaf', 'mid', 'root']);
      expect(root.status).toBe('gave_up');
      for (const name of ['a', 'b', 'c', 'd', 'e']) {
        await expect(w[name].call('hit', [])).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
      }
    });

    it('a parent restarts a child supervisor that gave up, with fresh children and history', async () => {
      const { root, mid, leaf, w, gaveUp } = tree({ leaf: 0 });
      await root.start();
      const before = await w.d.call('whoami', []);
      await w.c.call('boom', []).catch(() => undefined);
      await until(() => leaf.status === 'running' && w.d.status === 'running' && gaveUp.length === 1);
      expect(gaveUp).toEqual(['leaf']);
      expect(await w.d.call('whoami', [])).not.toBe(before);
      expect(await w.c.call('hit', [])).toBe(1);
      expect(await w.b.call('hit', [])).toBe(1);
      expect(mid.info()).toMatchObject({ status: 'running', children: [{}, { name: 'leaf', restarts: 1 }] });
      expect(root.status).toBe('running');
    });

    it('a child supervisor restarted by its parent starts its temporary children again (a fresh subtree)', async () => {
      // OTP: the restarted supervisor runs init/1 again and starts every child it lists; `temporary`
      // only means it does not restart that child itself.
      const root = new Supervisor({ name: 'root', clock, logger: silent });
      const mid = new Supervisor({ name: 'mid', clock, logger: silent, maxRestarts: 0 });
      const a = worker('a', clock, order);
      const temp = worker('temp', clock, order, 'temporary');
      mid.add(a);
      mid.add(temp);
      root.add(mid);
      await root.start();
      await a.call('boom', []).catch(() => undefined); // mid gives up, root restarts it
      await until(() => mid.info().restarts === 1 && temp.status === 'running');
      expect(order).toEqual([
        'start a',
        'start temp',
        'stop a crash',
        'stop temp shutdown',
        'start a',
        'start temp',
      ]);
      expect(await temp.call('hit', [])).toBe(1);
      expect(mid.info().restarts).toBe(1);
    });

    it('a temporary child supervisor stopped by a group restart stops its children for good', async () => {
      const root = new Supervisor({ name: 'root', clock, logger: silent, strategy: 'one_for_all' });
      const mid = new Supervisor({ name: 'mid', clock, logger: silent, restart: 'temporary' });
      const a = worker('a', clock, order);
      const b = worker('b', clock, order);
      mid.add(b);
      root.add(mid);
      root.add(a);
      await root.start();
      await a.call('boom', []).catch(() => undefined); // root stops mid for good, restarts a
      await until(() => a.status === 'running');
      await turn();
      expect(mid.status).toBe('stopped');
      // Not 'restarting', holding messages for a restart that never comes: it refuses them at once.
      expect(b.status).toBe('stopped');
      await expect(b.call('hit', [])).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
    });

    it('a child that fails to start fails the whole start, naming the chain of supervisors', async () => {
      const root = new Supervisor({ name: 'root', clock, logger: silent });
      const mid = new Supervisor({ name: 'mid', clock, logger: silent });
      root.add(worker('a', clock, order));
      mid.add(worker('b', clock, order));
      mid.add(
        new ServerProcess(
          { name: 'bad', create: () => ({}), init: () => Promise.reject(new Error('no db')) },
          { clock, logger: silent },
        ),
      );
      root.add(mid);
      const error = await root.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'INIT_FAILED', supervisors: ['root', 'mid'], server: 'bad' });
      expect((error as Error).message).toMatch(/^root > mid > bad failed to start: .*no db/);
      expect(order).toEqual(['start a', 'start b', 'stop b shutdown', 'stop a shutdown']);
    });

    it("a supervisor's shutdownTimeout bounds its whole subtree; what still runs is killed", async () => {
      const root = new Supervisor({ name: 'root', clock, logger: silent });
      const sub = new Supervisor({ name: 'sub', clock, logger: silent, shutdownTimeout: 100 });
      const hang = new ServerProcess<Worker>(
        {
          name: 'hang',
          create: () => new Worker(),
          shutdownTimeout: 5000,
          terminate: () => new Promise(() => undefined),
          calls: { hit: Worker.prototype.hit },
        },
        { clock, logger: silent },
      );
      sub.add(worker('a', clock, order));
      sub.add(hang);
      root.add(sub);
      root.add(worker('z', clock, order));
      await root.start();
      order.length = 0;
      const t0 = clock.now();
      let stopped = false;
      const stopping = root.stop().then(() => (stopped = true));
      await until(() => order.includes('stop z shutdown') && clock.pendingTimers >= 2);
      clock.advanceBy(100);
      await stopping;
      expect(stopped).toBe(true);
      expect(clock.now() - t0).toBe(100);
      expect(hang.status).toBe('stopped');
      expect(order).toEqual(['stop z shutdown']); // `a` was killed with the subtree, without @Terminate
      await expect(hang.call('hit', [])).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
    });

    it('shutdown cuts a hanging @Terminate at its timeout while the rest of the tree proceeds', async () => {
      const root = new Supervisor({ name: 'root', clock, logger: silent });
      const hang = new ServerProcess<Worker>(
        {
          name: 'hang',
          create: () => new Worker(),
          shutdownTimeout: 1000,
          terminate: () => new Promise(() => undefined),
          calls: { hit: Worker.prototype.hit },
        },
        { clock, logger: silent },
      );
      root.add(worker('a', clock, order));
      root.add(hang);
      root.add(worker('c', clock, order));
      await root.start();
      order.length = 0;
      const stopping = root.stop();
      await until(() => order.includes('stop c shutdown') && clock.pendingTimers > 0);
      clock.advanceBy(1000);
      await stopping;
      expect(order).toEqual(['stop c shutdown', 'stop a shutdown']);
      expect(hang.status).toBe('stopped');
    });
  });

  it('lets the supervisor override a child restart type and shutdown timeout where it lists it', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    const a = worker('a', clock, order, 'permanent');
    const hang = new ServerProcess<Worker>(
      { name: 'hang', create: () => new Worker(), terminate: () => new Promise(() => undefined) },
      { clock, logger: silent },
    );
    sup.add(a, { restart: 'temporary' });
    sup.add(hang, { shutdownTimeout: 10 });
    await sup.start();
    await a.call('boom', []).catch(() => undefined);
    await turn();
    expect(a.status).toBe('failed');
    const stopping = sup.stop();
    await until(() => clock.pendingTimers > 0);
    clock.advanceBy(10);
    await stopping;
    expect(hang.status).toBe('stopped');
    expect(() =>
      new Supervisor({ name: 's' }).add(worker('x', clock, order), { restart: 'never' as never }),
    ).toThrow("restart of x must be 'permanent', 'transient' or 'temporary'");
    const s3 = new Supervisor({ name: 's3' });
    const x = worker('x', clock, order);
    s3.add(x);
    expect(() => s3.add(x)).toThrow('x was added twice');
  });

  describe('backoff', () => {
    it('waits min·factor^n between consecutive restarts, and resets after a quiet period', async () => {
      const sup = new Supervisor({
        name: 'root',
        clock,
        logger: silent,
        maxRestarts: 100,
        backoff: { minMs: 100, maxMs: 400, resetAfterMs: 1000 },
      });
      const a = worker('a', clock, order);
      sup.add(a);
      await sup.start();
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        await a.call('boom', []).catch(() => undefined);
        await until(() => a.status === 'restarting');
        const crashedAt = clock.now();
        await until(() => clock.pendingTimers > 0);
        while (a.status !== 'running') {
          clock.advanceBy(50);
          await turn();
        }
        delays.push(clock.now() - crashedAt);
      }
      expect(delays).toEqual([100, 200, 400, 400]);
      clock.advanceBy(1000);
      await a.call('boom', []).catch(() => undefined);
      await until(() => clock.pendingTimers > 0);
      const crashedAt = clock.now();
      while (a.status !== 'running') {
        clock.advanceBy(50);
        await turn();
      }
      expect(clock.now() - crashedAt).toBe(100);
    });

    it('starts again from minMs in a child supervisor restarted by its parent (a fresh history)', async () => {
      const root = new Supervisor({ name: 'root', clock, logger: silent });
      const mid = new Supervisor({
        name: 'mid',
        clock,
        logger: silent,
        maxRestarts: 2,
        backoff: { minMs: 100, maxMs: 1000 },
      });
      const a = worker('a', clock, order);
      const b = worker('b', clock, order);
      mid.add(a);
      mid.add(b);
      root.add(mid);
      await root.start();
      await a.call('boom', []).catch(() => undefined); // a waits 100 ms
      await until(() => a.status === 'restarting');
      clock.advanceBy(100);
      await until(() => a.status === 'running');
      await a.call('boom', []).catch(() => undefined); // a waits 200 ms
      await b.call('boom', []).catch(() => undefined); // mid gives up; root restarts it
      await until(() => mid.info().restarts === 1 && a.status === 'running');
      await a.call('boom', []).catch(() => undefined);
      await until(() => a.status === 'restarting');
      clock.advanceBy(100); // the first restart of the new mid waits minMs, not minMs·2
      await until(() => a.status === 'running');
      expect(a.info().restarts).toBe(3);
    });

    it('keeps calls sent during the backoff for the new instance, within their own timeout', async () => {
      const sup = new Supervisor({
        name: 'root',
        clock,
        logger: silent,
        backoff: { minMs: 500, maxMs: 500 },
      });
      const a = worker('a', clock, order);
      sup.add(a);
      await sup.start();
      await a.call('hit', []);
      await a.call('boom', []).catch(() => undefined);
      await until(() => a.status === 'restarting');
      const answered = a.call('hit', [], 1000);
      const timedOut = a.call('hit', [], 100);
      clock.advanceBy(100);
      await expect(timedOut).rejects.toMatchObject({ code: 'CALL_TIMEOUT' });
      clock.advanceBy(400);
      await expect(answered).resolves.toBe(1);
    });

    it('adds jitter from the given random source and validates its options', async () => {
      const sup = new Supervisor({
        name: 'root',
        clock,
        logger: silent,
        backoff: { minMs: 100, maxMs: 100, jitter: 0.5, random: () => 0.5 },
      });
      const a = worker('a', clock, order);
      sup.add(a);
      await sup.start();
      await a.call('boom', []).catch(() => undefined);
      await until(() => clock.pendingTimers > 0);
      clock.advanceBy(124);
      await turn();
      expect(a.status).toBe('restarting');
      clock.advanceBy(1);
      await until(() => a.status === 'running');
      expect(() => new Supervisor({ name: 'x', backoff: { minMs: 0, maxMs: 10 } })).toThrow(
        'x: backoff.minMs must be a number of ms > 0',
      );
      expect(() => new Supervisor({ name: 'x', backoff: { minMs: 10, maxMs: 5 } })).toThrow(
        'x: backoff.maxMs must be a number of ms >= minMs (10)',
      );
      expect(() => new Supervisor({ name: 'x', backoff: { minMs: 1, maxMs: 5, jitter: 2 } })).toThrow(
        'jitter must be a fraction between 0 and 1',
      );
    });

    it('a shutdown during a backoff cancels the pending restart', async () => {
      const sup = new Supervisor({
        name: 'root',
        clock,
        logger: silent,
        backoff: { minMs: 500, maxMs: 500 },
      });
      const a = worker('a', clock, order);
      sup.add(a);
      await sup.start();
      await a.call('boom', []).catch(() => undefined);
      await until(() => clock.pendingTimers > 0);
      await sup.stop();
      expect(clock.pendingTimers).toBe(0);
      expect(a.status).toBe('stopped');
    });
  });

  it('callers of a sibling stopped for a group restart wait for its new instance', async () => {
    const sup = new Supervisor({ name: 'root', clock, logger: silent, strategy: 'one_for_all' });
    const a = worker('a', clock, order);
    let sentDuring: Promise<unknown> | undefined;
    const b: ServerProcess<Worker> = new ServerProcess<Worker>(
      {
        name: 'b',
        create: () => new Worker(),
        calls: { whoami: Worker.prototype.whoami },
        terminate: () => {
          sentDuring ??= b.call('whoami', []); // sent while b is being stopped for the group restart
        },
      },
      { clock, logger: silent },
    );
    sup.add(a);
    sup.add(b);
    await sup.start();
    const firstB = await b.call('whoami', []);
    await a.call('boom', []).catch(() => undefined);
    const queuedBehindTheCrash = b.call('whoami', []);
    await until(() => sentDuring !== undefined);
    const [first, during] = await Promise.all([queuedBehindTheCrash, sentDuring]);
    expect(during).not.toBe(firstB);
    expect([firstB, during]).toContain(first);
    expect(b.info().restarts).toBe(1);
  });

  it('logs each crash once, with what it decided, and emits lifecycle events', async () => {
    const lines: string[] = [];
    const events: string[] = [];
    const logger: RuntimeLogger = {
      debug() {},
      log() {},
      warn: (m) => void lines.push(`warn ${m}`),
      error: (m) => void lines.push(`error ${m}`),
    };
    const sup = new Supervisor({
      name: 'root',
      clock,
      logger,
      maxRestarts: 1,
      events: (e) => void events.push(`${e.type} ${e.kind} ${e.name}`),
    });
    const a = new ServerProcess<Worker>(
      { name: 'a', create: () => new Worker(), calls: { boom: Worker.prototype.boom } },
      { clock, logger, events: (e) => void events.push(`${e.type} ${e.kind} ${e.name}`) },
    );
    sup.add(a);
    await sup.start();
    await a.call('boom', []).catch(() => undefined);
    await until(() => a.status === 'running' && a.info().restarts === 1);
    await a.call('boom', []).catch(() => undefined);
    await until(() => sup.status === 'gave_up' && events.length === 7);
    expect(a.status).toBe('failed');
    expect(lines).toEqual([
      "error a crashed during call 'boom': Error: boom; root restarts it (restart 1 of 1 within 5000 ms)",
      "error root gave up: a exited (crashed during call 'boom': Error: boom) after 1 restart(s) within 5000 ms. " +
        'Fix the cause, or raise maxRestarts/withinMs if these exits are expected. Its children are stopped and ' +
        'will refuse messages.',
    ]);
    expect(events).toEqual([
      'started server a',
      'started supervisor root',
      'crashed server a',
      'restarted server a',
      'crashed server a',
      'stopped server a',
      'gave_up supervisor root',
    ]);
  });

  it('rejects bad limits', () => {
    expect(() => new Supervisor({ name: 'x', maxRestarts: -1 })).toThrow(
      'maxRestarts must be an integer >= 0',
    );
    expect(() => new Supervisor({ name: 'x', withinMs: 0 })).toThrow('withinMs must be a number of ms > 0');
    expect(() => new Supervisor({ name: 'x', strategy: 'all_for_one' as never })).toThrow(
      "strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one'",
    );
  });
});

/**
 * Exits that overlap a restart. OTP's supervisor is one process taking one EXIT at a time from its
 * mailbox: an exit that arrives while it restarts a group (or starts) is handled afterwards, and the
 * exit of a group member it is about to stop anyway is absorbed by that restart.
 */
describe('Supervisor: exits during a restart', () => {
  let clock: ManualClock;
  let order: string[];
  beforeEach(() => {
    clock = new ManualClock();
    order = [];
  });

  /** A worker with a `slow` call that never returns: its stop waits for it until its shutdown timeout. */
  function hanging(name: string, restart: RestartType = 'permanent') {
    return new ServerProcess<Worker>(
      {
        name,
        restart,
        create: () => new Worker(),
        init: () => void order.push(`start ${name}`),
        terminate: (reason: ExitReason) =>
          void order.push(`stop ${name} ${typeof reason === 'string' ? reason : 'crash'}`),
        shutdownTimeout: 1000,
        calls: { slow: () => new Promise<never>(() => undefined), boom: Worker.prototype.boom },
      },
      { clock, logger: silent },
    );
  }

  /** Lets every restart under way finish (no time passes). */
  const settled = async () => {
    for (let i = 0; i < 20; i++) await turn();
  };

  /** A call that may only fail, and only because its server stopped. */
  const refused = (call: Promise<unknown>) =>
    expect(call).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });

  /**
   * A started root (`maxRestarts` 10) over `children`, the last a hanging one, with `order` cleared,
   * and a `slow` call parked on that last child (refused when the restart stops it).
   */
  async function rootWithSlowLast(strategy: 'rest_for_one' | 'one_for_all', children: SupervisedChild[]) {
    const sup = new Supervisor({ name: 'root', clock, logger: silent, strategy, maxRestarts: 10 });
    children.forEach((child) => sup.add(child));
    await sup.start();
    order.length = 0;
    const last = children[children.length - 1] as ServerProcess<Worker>;
    return { sup, slow: refused(last.call('slow', [])) };
  }

  it('rest_for_one: a child before the group being restarted that crashes meanwhile waits, then restarts with its group and counts', async () => {
    const a = worker('a', clock, order);
    const b = worker('b', clock, order);
    const c = hanging('c');
    const { sup, slow } = await rootWithSlowLast('rest_for_one', [a, b, c]);
    await b.call('boom', []).catch(() => undefined); // restarts b, c: stopping c waits for `slow`
    await until(() => c.status === 'stopping');
    await a.call('boom', []).catch(() => undefined);
    await turn();
    expect(a.status).toBe('restarting'); // handled once the restart under way is done
    clock.advanceBy(1000); // c's shutdown timeout: it is killed
    await slow;
    await settled();
    expect(order).toEqual([
      'stop b crash',
      'stop a crash',
      'start b',
      'start c',
      // a's exit: a and the children after it
      'stop c shutdown',
      'stop b shutdown',
      'start a',
      'start b',
      'start c',
    ]);
    expect(sup.info()).toMatchObject({ status: 'running', recentRestarts: 2 });
    expect([a, b, c].map((s) => s.info().restarts)).toEqual([1, 2, 2]);
  });

  it('rest_for_one: two crashes in one turn restart their groups one after the other; no sibling stop counts as an exit', async () => {
    const a = worker('a', clock, order);
    const b = worker('b', clock, order, 'transient');
    const c = hanging('c');
    const { sup, slow } = await rootWithSlowLast('rest_for_one', [a, b, c]);
    b.crashWith(new Error('b')); // restarts b, c
    a.crashWith(new Error('a')); // then a, b, c — not both at once
    await until(() => c.status === 'stopping');
    clock.advanceBy(1000);
    await slow;
    await settled();
    await turn();
    expect(order).toEqual([
      'stop b crash',
      'stop a crash',
      'start b',
      'start c',
      'stop c shutdown',
      'stop b shutdown', // a transient b stopped for a's restart comes back: its 'shutdown' is not its exit
      'start a',
      'start b',
      'start c',
    ]);
    expect(sup.info()).toMatchObject({ status: 'running', recentRestarts: 2 });
    expect([a, b, c].map((s) => s.info().restarts)).toEqual([1, 2, 2]);
  });

  it('one_for_all: a sibling that crashes as the group restart begins is restarted once with it, not counted again', async () => {
    const a = worker('a', clock, order);
    const b = worker('b', clock, order);
    const t = worker('t', clock, order, 'transient');
    const c = hanging('c');
    const { sup, slow } = await rootWithSlowLast('one_for_all', [a, b, t, c]);
    a.crashWith(new Error('a'));
    b.crashWith(new Error('b')); // handled in the same turn as a's exit, before its restart begins
    await until(() => c.status === 'stopping');
    clock.advanceBy(1000);
    await slow;
    await until(() => [a, b, t, c].every((s) => s.status === 'running'));
    await turn();
    expect(order).toEqual([
      'stop a crash',
      'stop b crash',
      'stop t shutdown',
      'start a',
      'start b',
      'start t',
      'start c',
    ]);
    expect(sup.info()).toMatchObject({ status: 'running', recentRestarts: 1 });
    expect([a, b, t, c].map((s) => s.info().restarts)).toEqual([1, 1, 1, 1]);
  });

  it('a child that crashes while its supervisor is being restarted is restarted once the supervisor runs', async () => {
    const root = new Supervisor({ name: 'root', clock, logger: silent });
    const mid = new Supervisor({ name: 'mid', clock, logger: silent, maxRestarts: 1 });
    let bStarts = 0;
    const a = worker('a', clock, order);
    const b = new ServerProcess<Worker>(
      {
        name: 'b',
        create: () => new Worker(),
        // Every instance after the first takes 100 ms to start.
        init: () => (++bStarts === 1 ? undefined : new Promise<void>((ok) => clock.setTimer(ok, 100))),
      },
      { clock, logger: silent },
    );
    mid.add(a);
    mid.add(b);
    root.add(mid);
    await root.start();
    await a.call('boom', []).catch(() => undefined);
    await until(() => a.status === 'running' && b.status === 'running');
    await a.call('boom', []).catch(() => undefined); // mid gives up; root restarts it
    await until(() => mid.status === 'starting' && a.status === 'running' && b.status === 'starting');
    await a.call('boom', []).catch(() => undefined); // mid is still starting b
    await turn();
    expect(a.status).toBe('restarting');
    clock.advanceBy(100);
    await until(() => mid.status === 'running' && a.status === 'running');
    expect(mid.info()).toMatchObject({ restarts: 1, recentRestarts: 1 });
    expect(a.info().restarts).toBe(3);
    expect(await a.call('hit', [])).toBe(1);
  });

  it('a supervisor whose children do not come back when its parent restarts it reports gave_up once', async () => {
    const events: string[] = [];
    const root = new Supervisor({
      name: 'root',
      clock,
      logger: silent,
      maxRestarts: 1,
      events: (e) => void events.push(`${e.type} ${e.name}`),
    });
    const mid = new Supervisor({
      name: 'mid',
      clock,
      logger: silent,
      maxRestarts: 0,
      events: (e) => void events.push(`${e.type} ${e.name}`),
    });
    let bStarts = 0;
    const a = worker('a', clock, order);
    const b = new ServerProcess<Worker>(
      {
        name: 'b',
        create: () => new Worker(),
        init: () => {
          if (++bStarts > 1) throw new Error('b cannot start again');
        },
      },
      { clock, logger: silent },
    );
    mid.add(a);
    mid.add(b);
    root.add(mid);
    await root.start();
    await a.call('boom', []).catch(() => undefined); // mid gives up; root restarts it; b fails
    await until(() => root.status === 'gave_up');
    await turn();
    expect(events).toEqual([
      'started mid',
      'started root',
      'gave_up mid', // its limit
      'gave_up mid', // b did not start again: root counts it, and gives up in turn
      'stopped mid', // stopped by root's give-up: final
      'gave_up root',
    ]);
  });

  it('a parent stopped part-way through a group restart leaves nothing restarting and no timer armed', async () => {
    const root = new Supervisor({ name: 'root', clock, logger: silent, strategy: 'one_for_all' });
    const mid = new Supervisor({ name: 'mid', clock, logger: silent });
    const h = hanging('h');
    const s = worker('s', clock, order);
    const x = worker('x', clock, order);
    mid.add(s);
    root.add(h);
    root.add(mid);
    root.add(x);
    await root.start();
    const slow = refused(h.call('slow', []));
    await x.call('boom', []).catch(() => undefined); // stops mid (s is held for the restart), then h
    await until(() => h.status === 'stopping' && s.status === 'restarting');
    const held = refused(s.call('hit', []));
    const stopping = root.stop();
    await turn();
    clock.advanceBy(1000); // h's shutdown timeout
    await stopping;
    await turn();
    expect([root.status, mid.status]).toEqual(['stopped', 'stopped']);
    expect([h, s, x].map((server) => server.status)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(clock.pendingTimers).toBe(0); // the held call's deadline too
    await Promise.all([slow, held]);
  });

  it('a parent stopped while a child supervisor is stopping for a group restart waits for it and stops its subtree for good', async () => {
    const root = new Supervisor({ name: 'root', clock, logger: silent, strategy: 'one_for_all' });
    const mid = new Supervisor({ name: 'mid', clock, logger: silent });
    const s = worker('s', clock, order);
    const h = hanging('h');
    const x = worker('x', clock, order);
    mid.add(s);
    mid.add(h);
    root.add(mid);
    root.add(x);
    await root.start();
    const slow = refused(h.call('slow', []));
    await x.call('boom', []).catch(() => undefined); // stops mid for the restart: h waits for `slow`
    await until(() => h.status === 'stopping');
    let stopped = false;
    const stopping = root.stop().then(() => (stopped = true));
    await turn();
    expect(stopped).toBe(false); // mid is still stopping
    clock.advanceBy(1000);
    await stopping;
    await slow;
    await turn();
    expect([root.status, mid.status]).toEqual(['stopped', 'stopped']);
    expect([s, h, x].map((server) => server.status)).toEqual(['stopped', 'stopped', 'stopped']);
    await refused(s.call('hit', []));
    expect(clock.pendingTimers).toBe(0);
  });
});
