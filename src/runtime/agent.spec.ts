import { Agent, agentChildSpec, agentSpec } from './agent.js';
import { DynamicSupervisor } from './dynamic-supervisor.js';
import { CallTimeoutError } from './errors/call-timeout.error.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { ServerCrashedError } from './errors/server-crashed.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import { silent, turn, until } from './spec-helpers.js';
import { Supervisor } from './supervisor.js';

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Agent', () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
  });

  const start = <S>(initial: () => S | PromiseLike<S>, options: { callTimeout?: number } = {}) =>
    Agent.start({ name: 'counter', initial, clock, logger: silent, ...options });

  it('get, update, getAndUpdate and cast run against the state, in order', async () => {
    const agent = await start(() => ({ count: 0, log: [] as string[] }));
    expect(agent.name).toBe('counter');
    expect(await agent.get((s) => s.count)).toBe(0);
    await agent.update((s) => ({ ...s, count: s.count + 5 }));
    agent.cast((s) => ({ ...s, log: [...s.log, 'cast'] }));
    const previous = await agent.getAndUpdate((s) => [s.count, { ...s, count: 0 }] as const);
    expect(previous).toBe(5);
    expect(await agent.get((s) => s)).toEqual({ count: 0, log: ['cast'] });
    expect(agent.info()).toMatchObject({
      name: 'counter',
      status: 'running',
      handled: { calls: 4, casts: 1 },
    });
    await agent.stop();
  });

  it('1000 concurrent updates give the exact sum', async () => {
    const agent = await start(() => 0);
    const updates: Promise<void>[] = [];
    for (let i = 1; i <= 1000; i++) updates.push(agent.update((n) => n + i));
    await Promise.all(updates);
    expect(await agent.get((n) => n)).toBe(500_500);
  });

  it('serializes async functions: each one sees the state the previous one left', async () => {
    const agent = await start(() => 0);
    const updates: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      updates.push(
        agent.update(async (n) => {
          await turn(); // a read-modify-write across an await would lose updates if they interleaved
          return n + 1;
        }),
      );
    }
    const read = agent.get(async (n) => {
      await Promise.resolve();
      return n;
    });
    const swapped = agent.getAndUpdate(async (n) => [n * 2, -1] as const);
    await Promise.all(updates);
    expect(await read).toBe(100);
    expect(await swapped).toBe(200);
    expect(await agent.get((n) => n)).toBe(-1);
  });

  it('a throwing function crashes it: the caller and the callers queued behind get ServerCrashedError', async () => {
    const agent = await start(() => 1);
    const gate = deferred();
    const slow = agent.update(async (n) => {
      await gate.promise;
      throw new Error(`bad state ${n}`);
    });
    const queued = agent.get((n) => n);
    gate.resolve();
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerCrashedError);
    expect((error as Error).message).toBe("counter crashed while handling call 'update': Error: bad state 1");
    await expect(queued).rejects.toMatchObject({ code: 'SERVER_CRASHED', pendingMessage: "call 'get'" });
    // No supervisor: it stays down.
    await expect(agent.get((n) => n)).rejects.toBeInstanceOf(ServerNotRunningError);
    expect(agent.info().status).toBe('failed');
  });

  it('under a supervisor, a crashed agent restarts with a fresh initial state', async () => {
    let made = 0;
    const process = new ServerProcess(
      agentSpec('cart', () => {
        made++;
        return ['welcome'];
      }),
      { clock, logger: silent },
    );
    const sup = new Supervisor({ name: 'root', clock, logger: silent });
    sup.add(process);
    await sup.start();
    const cart = Agent.of(process);
    await cart.update((items) => [...items, 'book']);
    expect(await cart.get((items) => items)).toEqual(['welcome', 'book']);
    await expect(
      cart.update(() => {
        throw new Error('corrupt');
      }),
    ).rejects.toBeInstanceOf(ServerCrashedError);
    // A message sent while it restarts waits for the new incarnation.
    expect(await cart.get((items) => items)).toEqual(['welcome']);
    expect(made).toBe(2);
    expect(cart.info()).toMatchObject({ restarts: 1, incarnation: 2 });
    cart.cast(() => {
      throw new Error('cast crash');
    });
    await until(() => cart.info().restarts === 2 && cart.info().status === 'running');
    expect(await cart.get((items) => items.length)).toBe(1);
    await sup.stop();
  });

  it('getAndUpdate must return a [reply, newState] pair, else the agent crashes with a TypeError', async () => {
    const agent = await start(() => 0);
    const error = await agent
      .getAndUpdate((n) => n as unknown as readonly [number, number])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerCrashedError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(
      "getAndUpdate's function must return a [reply, newState] pair, got number",
    );
  });

  it('a call that takes too long rejects with CallTimeoutError; the agent keeps going', async () => {
    const agent = await start(() => 0, { callTimeout: 1000 });
    const gate = deferred();
    const slow = agent.update(async (n) => {
      await gate.promise;
      return n + 1;
    });
    const quick = agent.get((n) => n, 50);
    clock.advanceBy(50);
    await expect(quick).rejects.toMatchObject({ code: 'CALL_TIMEOUT', messageName: 'get', timeoutMs: 50 });
    clock.advanceBy(950);
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ server: 'counter', messageName: 'update', timeoutMs: 1000 });
    gate.resolve();
    expect(await agent.get((n) => n)).toBe(1); // the late update still happened (as in OTP)
  });

  it('the default call timeout is 5000 ms, or the wrapper’s own', async () => {
    const agent = await start(() => 0);
    const gate = deferred();
    void agent.update(() => gate.promise.then(() => 1)).catch(() => undefined);
    const waiting = agent.get((n) => n);
    clock.advanceBy(4999);
    await turn();
    const timedOut = expect(waiting).rejects.toMatchObject({ timeoutMs: 5000 });
    clock.advanceBy(1);
    await timedOut;
    const patient = Agent.of(agent.process, { callTimeout: Infinity });
    const late = patient.get((n) => n);
    clock.advanceBy(60_000);
    gate.resolve();
    expect(await late).toBe(1);
  });

  it('once stopped, calls reject and casts throw ServerNotRunningError', async () => {
    const agent = await start(() => 0);
    agent.cast((n) => n + 1);
    await agent.stop();
    expect(agent.info().status).toBe('stopped');
    await expect(agent.get((n) => n)).rejects.toBeInstanceOf(ServerNotRunningError);
    await expect(agent.update((n) => n)).rejects.toBeInstanceOf(ServerNotRunningError);
    await expect(agent.getAndUpdate((n) => [n, n] as const)).rejects.toBeInstanceOf(ServerNotRunningError);
    expect(() => agent.cast((n) => n)).toThrow(ServerNotRunningError);
  });

  it('computes an async initial state; a failing one rejects the start with InitFailedError', async () => {
    const agent = await start(async () => {
      await turn();
      return 'ready';
    });
    expect(await agent.get((s) => s)).toBe('ready');
    const error = await start(() => {
      throw new Error('no config');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InitFailedError);
    expect((error as Error).message).toBe('counter failed to start: @Init initial() threw Error: no config');
  });

  it('refuses what is not a function without crashing the agent', async () => {
    const agent = await start(() => 0);
    await expect(agent.get(42 as never)).rejects.toThrow(
      'counter: agent.get() needs a function of the state, got 42',
    );
    await expect(agent.update('x' as never)).rejects.toThrow(TypeError);
    await expect(agent.getAndUpdate(undefined as never)).rejects.toThrow(TypeError);
    expect(() => agent.cast({} as never)).toThrow(
      'counter: agent.cast() needs a function of the state, got an object',
    );
    expect(agent.info()).toMatchObject({ status: 'running', restarts: 0 });
  });

  it('checks its definition', async () => {
    expect(() => agentSpec('a', 0 as never)).toThrow(
      "agentSpec('a'): initial must be a function that returns the initial state, got 0. Wrap a value: () => value",
    );
    expect(() => agentSpec('', () => 0)).toThrow(
      "agentSpec() needs the agent's name, a non-empty string, got ''",
    );
    expect(() => agentSpec('a', () => 0, { restart: 'always' as never })).toThrow(
      "a: restart must be 'permanent', 'transient' or 'temporary', got 'always'",
    );
    expect(() => agentSpec('a', () => 0, { callTimeout: -1 })).toThrow(
      'a: callTimeout must be a number of ms >= 0 or Infinity, got -1',
    );
    expect(() => agentSpec('a', () => 0, { timeout: 5 } as never)).toThrow(
      "a: unknown agent option 'timeout' (known: callTimeout, initTimeout, shutdownTimeout, restart)",
    );
    await expect(Agent.start(undefined as never)).rejects.toThrow(
      'Agent.start() needs { name, initial }, got undefined',
    );
    await expect(Agent.start({ name: 'a', initial: [] as never })).rejects.toThrow(
      'initial must be a function that returns the initial state, got an array',
    );
    expect(() => new Agent({} as never)).toThrow(
      'new Agent() needs the ServerProcess of an agentSpec(), got an object',
    );
    const process = new ServerProcess(agentSpec('a', () => 0));
    expect(() => Agent.of(process, { callTimeout: NaN })).toThrow(
      'a: callTimeout must be a number of ms >= 0 or Infinity, got NaN',
    );
  });

  it('agentChildSpec: keyed agents under a DynamicSupervisor, each from its own initial function', async () => {
    const agents = new DynamicSupervisor({
      name: 'agents',
      spec: agentChildSpec('agent'),
      clock,
      logger: silent,
    });
    await agents.start();
    let carts = 0;
    const cart = Agent.of<string[]>(
      await agents.startChild(
        () => {
          carts++;
          return [];
        },
        { key: 'cart' },
      ),
    );
    const score = Agent.of<number>(await agents.startChild(async () => 10, { key: 'score' }));
    expect(cart.name).toBe('cart');
    expect(cart.info().name).toBe('agent[cart]');
    await cart.update((items) => [...items, 'pen']);
    await score.update((n) => n + 1);
    expect(await cart.get((items) => items)).toEqual(['pen']);
    expect(await score.get((n) => n)).toBe(11);
    await expect(
      cart.get(() => {
        throw new Error('oops');
      }),
    ).rejects.toThrow("agent[cart] crashed while handling call 'get': Error: oops");
    expect(await cart.get((items) => items)).toEqual([]);
    expect(carts).toBe(2);
    await expect(agents.startChild(5, { key: 'bad' })).rejects.toThrow(
      'agent[bad] failed to start: @Init initial() threw TypeError: an agent child needs a function',
    );
    await agents.stop();
  });
});
