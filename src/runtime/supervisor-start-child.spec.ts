import { DynamicSupervisor } from './dynamic-supervisor.js';
import { InitFailedError } from './errors/init-failed.error.js';
import type { ExitReason } from './exit-reason.js';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import { silent, until } from './spec-helpers.js';
import { Supervisor, type RestartStrategy } from './supervisor.js';

class Worker {
  static created = 0;
  readonly id = ++Worker.created;
  whoami(): number {
    return this.id;
  }
  boom(): never {
    throw new Error('boom');
  }
}

function worker(name: string, clock: ManualClock, order: string[], init?: () => unknown) {
  return new ServerProcess<Worker>(
    {
      name,
      create: () => new Worker(),
      init: init ?? (() => void order.push(`start ${name}`)),
      terminate: (reason: ExitReason) =>
        void order.push(`stop ${name} ${typeof reason === 'string' ? reason : 'crash'}`),
      calls: { whoami: Worker.prototype.whoami, boom: Worker.prototype.boom },
    },
    { clock, logger: silent },
  );
}

describe('Supervisor.startChild', () => {
  let clock: ManualClock;
  let order: string[];
  beforeEach(() => {
    clock = new ManualClock();
    order = [];
  });

  let a: ServerProcess<Worker>;
  async function running(strategy: RestartStrategy = 'one_for_one'): Promise<Supervisor> {
    const sup = new Supervisor({ name: 'root', strategy, clock, logger: silent });
    a = worker('a', clock, order);
    sup.add(a);
    await sup.start();
    return sup;
  }

  it('starts the new child at once; it comes last, so it stops first', async () => {
    const sup = await running();
    const b = worker('b', clock, order);
    await sup.startChild(b);
    expect(b.status).toBe('running');
    expect(await b.call('whoami', [])).toEqual(expect.any(Number));
    expect(sup.info().children.map((c) => c.name)).toEqual(['a', 'b']);
    await sup.stop();
    expect(order).toEqual(['start a', 'start b', 'stop b shutdown', 'stop a shutdown']);
  });

  it('supervises the new child: a crash restarts it with a fresh instance', async () => {
    const sup = await running();
    const b = worker('b', clock, order);
    await sup.startChild(b);
    const before = await b.call('whoami', []);
    await expect(b.call('boom', [])).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
    await until(() => b.status === 'running' && b.incarnation === 2);
    expect(await b.call('whoami', [])).not.toBe(before);
    await sup.stop();
  });

  it('applies overrides: a temporary child is not restarted', async () => {
    const sup = await running();
    const b = worker('b', clock, order);
    await sup.startChild(b, { restart: 'temporary' });
    await expect(b.call('boom', [])).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
    await until(() => b.status === 'failed');
    expect(sup.status).toBe('running');
    await sup.stop();
  });

  it('a child that fails to start is removed and its error rethrown; the siblings keep their places', async () => {
    const sup = await running('rest_for_one');
    const bad = worker('bad', clock, order, () => {
      throw new Error('no database');
    });
    const error: unknown = await sup.startChild(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InitFailedError);
    expect((error as InitFailedError).message).toMatch(/^root > bad failed to start: .* Error: no database$/);
    expect(sup.info().children.map((c) => c.name)).toEqual(['a']);
    const c = worker('c', clock, order);
    await sup.startChild(c);
    expect(sup.info().children.map((child) => child.name)).toEqual(['a', 'c']);
    // rest_for_one: a crash of `a` restarts `c`, which was added after it.
    await expect(a.call('boom', [])).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
    await until(() => c.incarnation === 2 && c.status === 'running');
    expect(order).toEqual(['start a', 'start c', 'stop a crash', 'stop c shutdown', 'start a', 'start c']);
    await sup.stop();
  });

  it('validates the child as add() does, and needs the supervisor running', async () => {
    const idle = new Supervisor({ name: 'idle', clock, logger: silent });
    await expect(idle.startChild(worker('x', clock, order))).rejects.toThrow(
      'idle is idle; startChild() needs it running (use add() before start())',
    );
    const sup = await running();
    const b = worker('b', clock, order);
    await expect(sup.startChild(b, { restart: 'sometimes' as never })).rejects.toThrow(
      "root: restart of b must be 'permanent', 'transient' or 'temporary', got 'sometimes'",
    );
    await expect(sup.startChild(b, { shutdownTimeout: -1 })).rejects.toThrow(
      'root: shutdownTimeout of b must be a number of ms >= 0 or Infinity, got -1',
    );
    expect(b.status).toBe('idle');
    await sup.startChild(b);
    await expect(sup.startChild(b)).rejects.toThrow('root: b was added twice');
    expect(() => sup.add(worker('late', clock, order))).toThrow(
      'root: children can only be added before start(); use startChild() after',
    );
    await sup.stop();
    await expect(sup.startChild(worker('y', clock, order))).rejects.toThrow('root is stopped');
  });

  it('takes a DynamicSupervisor, whose children it then stops with the tree', async () => {
    const sup = await running();
    const dynamic = new DynamicSupervisor<Worker>({
      name: 'workers',
      clock,
      logger: silent,
      spec: {
        name: 'w',
        create: () => new Worker(),
        init: (key: unknown) => void order.push(`start w ${String(key)}`),
        terminate: () => void order.push('stop w'),
      },
    });
    await sup.startChild(dynamic);
    await dynamic.startChild('1', { key: '1' });
    expect(sup.info().children.map((c) => c.name)).toEqual(['a', 'workers']);
    await sup.stop();
    expect(order).toEqual(['start a', 'start w 1', 'stop w', 'stop a shutdown']);
  });
});
