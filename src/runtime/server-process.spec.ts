import { CallTimeoutError } from './errors/call-timeout.error.js';
import { InitFailedError } from './errors/init-failed.error.js';
import { ServerCrashedError } from './errors/server-crashed.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import { UnknownMessageError } from './errors/unknown-message.error.js';
import type { ExitReason } from './exit-reason.js';
import type { RuntimeLogger } from './logger.js';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import type { ServerSpec } from './server-spec.js';
import { SystemClock } from './system-clock.js';
import type { TimerHandle } from './clock.js';
import { DrainScheduler } from './drain-scheduler.js';
import { turn } from './spec-helpers.js';

function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recordingLogger(): RuntimeLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug ${m}`),
    log: (m) => lines.push(`log ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

class Counter {
  count = 0;
  log: string[] = [];
  gate: Promise<void> | undefined;
  terminated: ExitReason[] = [];

  increment(by = 1): number {
    this.count += by;
    return this.count;
  }
  async slowAdd(by: number): Promise<number> {
    this.log.push(`start ${by}`);
    await this.gate;
    this.count += by;
    this.log.push(`end ${by}`);
    return this.count;
  }
  record(tag: string): void {
    this.log.push(tag);
  }
  explode(): never {
    throw new Error('boom');
  }
  async explodeLater(): Promise<never> {
    await Promise.resolve();
    throw new Error('async boom');
  }
  wait(): Promise<void> {
    return new Promise(() => undefined);
  }
}

function counterSpec(
  overrides: Partial<ServerSpec<Counter>> = {},
  instances: Counter[] = [],
): ServerSpec<Counter> {
  return {
    name: 'Counter',
    create: () => {
      const c = new Counter();
      instances.push(c);
      return c;
    },
    calls: {
      increment: Counter.prototype.increment,
      slowAdd: Counter.prototype.slowAdd,
      explode: Counter.prototype.explode,
      explodeLater: Counter.prototype.explodeLater,
      wait: Counter.prototype.wait,
    },
    casts: { record: Counter.prototype.record, explode: Counter.prototype.explode },
    terminate(this: Counter, reason: ExitReason) {
      this.terminated.push(reason);
    },
    ...overrides,
  };
}

describe('ServerProcess', () => {
  let clock: ManualClock;
  let logger: ReturnType<typeof recordingLogger>;
  const make = (overrides: Partial<ServerSpec<Counter>> = {}, instances: Counter[] = []) =>
    new ServerProcess(counterSpec(overrides, instances), { clock, logger });

  beforeEach(() => {
    clock = new ManualClock();
    logger = recordingLogger();
  });

  describe('messages', () => {
    it('replies to calls with the handler result', async () => {
      const p = make();
      await p.start();
      await expect(p.call('increment', [5])).resolves.toBe(5);
      await expect(p.call('increment', [])).resolves.toBe(6);
    });

    it('keeps one sender’s messages in send order', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      for (let i = 0; i < 100; i++) p.cast('record', [`m${i}`]);
      await p.call('increment', []);
      expect(instances[0].log).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    });

    it('never interleaves an async handler with the next message', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      const gate = deferred();
      instances[0].gate = gate.promise;
      const first = p.call('slowAdd', [1]);
      const second = p.call('slowAdd', [10]);
      p.cast('record', ['cast']);
      await turn();
      expect(instances[0].log).toEqual(['start 1']);
      expect(p.info()).toMatchObject({ busy: true, mailboxLength: 2 });
      gate.resolve();
      await expect(first).resolves.toBe(1);
      await expect(second).resolves.toBe(11);
      expect(instances[0].log).toEqual(['start 1', 'end 1', 'start 10', 'end 10', 'cast']);
    });

    it('handles a queue longer than one slice without losing or reordering messages', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      const n = 5000;
      for (let i = 0; i < n; i++) p.cast('record', [i]);
      await expect(p.call('increment', [])).resolves.toBe(1);
      expect(instances[0].log).toHaveLength(n);
      expect(instances[0].log[n - 1]).toBe(n - 1);
      expect(p.info().handled).toEqual({ calls: 1, casts: n, infos: 0, ticks: 0 });
    });

    it('rejects an unknown call with the known names and keeps running', async () => {
      const p = make();
      await p.start();
      const error = await p.call('nope', []).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownMessageError);
      expect(error).toMatchObject({ code: 'UNKNOWN_MESSAGE', messageName: 'nope' });
      expect((error as Error).message).toContain("'increment'");
      expect(() => p.cast('nope', [])).toThrow(UnknownMessageError);
      await expect(p.call('increment', [])).resolves.toBe(1);
    });

    it('delivers infos to the info handler, and logs (at debug) infos nobody handles', async () => {
      const seen: unknown[] = [];
      const p = make({
        info(msg) {
          seen.push(msg);
        },
      });
      await p.start();
      p.send({ type: 'ping' });
      await p.call('increment', []);
      expect(seen).toEqual([{ type: 'ping' }]);

      const q = make();
      await q.start();
      q.send('stray');
      await expect(q.call('increment', [])).resolves.toBe(1);
      expect(logger.lines.some((l) => l.startsWith('debug') && l.includes('stray'))).toBe(true);
    });

    it('returns a snapshot of state between messages', async () => {
      const p = make();
      await p.start();
      p.cast('record', ['a']);
      const state = await p.getState();
      expect(state).toMatchObject({ count: 0, log: ['a'] });
    });
  });

  describe('call timeouts (manual clock)', () => {
    it('rejects with CallTimeoutError at the default 5000 ms and drops the late reply', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      const gate = deferred();
      instances[0].gate = gate.promise;
      const slow = p.call('slowAdd', [1]);
      const next = p.call('increment', [100]);
      clock.advanceBy(4999);
      await turn();
      let settled = false;
      void slow.finally(() => (settled = true)).catch(() => undefined);
      await turn();
      expect(settled).toBe(false);
      clock.advanceBy(1);
      const error = await slow.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallTimeoutError);
      expect(error).toMatchObject({
        code: 'CALL_TIMEOUT',
        server: 'Counter',
        messageName: 'slowAdd',
        timeoutMs: 5000,
      });
      // The second call had the same deadline; it times out too, having never run.
      await expect(next).rejects.toBeInstanceOf(CallTimeoutError);
      // The slow handler still finishes (as in OTP); its reply goes nowhere and the server keeps working.
      gate.resolve();
      await expect(p.call('increment', [1])).resolves.toBe(102);
      expect(p.status).toBe('running');
    });

    it('honours a per-call timeout shorter than earlier calls', async () => {
      const p = make();
      await p.start();
      const long = p.call('wait', [], 10_000);
      const short = p.call('increment', [], 100);
      clock.advanceBy(100);
      await expect(short).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 100 });
      clock.advanceBy(9900);
      await expect(long).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 10_000 });
    });

    it('uses one timer for many calls, and it expires nothing once they are answered', async () => {
      const p = make();
      await p.start();
      const replies = await Promise.all(Array.from({ length: 100 }, () => p.call('increment', [])));
      for (let i = 0; i < 10; i++) await p.call('increment', []);
      expect(replies.at(-1)).toBe(100);
      expect(clock.pendingTimers).toBe(1);
      clock.advanceBy(5000);
      expect(clock.pendingTimers).toBe(0);
      await expect(p.call('increment', [])).resolves.toBe(111);
    });

    it('leaves no timer behind once it has stopped', async () => {
      const p = make();
      await p.start();
      await p.call('increment', []);
      expect(clock.pendingTimers).toBe(1);
      await p.stop();
      expect(clock.pendingTimers).toBe(0);
    });

    it('accepts Infinity to wait forever and rejects a negative timeout', async () => {
      const p = make();
      await p.start();
      await expect(p.call('increment', [], Infinity)).resolves.toBe(1);
      await expect(p.call('increment', [], -1)).rejects.toBeInstanceOf(RangeError);
    });
  });

  describe('call timeouts (system clock)', () => {
    /** The system clock, counting its readings and timers. */
    class CountingClock extends SystemClock {
      reads = 0;
      timers = 0;
      override now(): number {
        this.reads++;
        return super.now();
      }
      override setTimer(callback: () => void, delayMs: number): TimerHandle {
        this.timers++;
        return super.setTimer(callback, delayMs);
      }
    }

    it('does not read the clock or arm a timer for calls answered in the run that handles them', async () => {
      const systemClock = new CountingClock();
      const p = new ServerProcess(counterSpec(), { clock: systemClock, logger });
      await p.start();
      const reads = systemClock.reads;
      const replies = await Promise.all(Array.from({ length: 100 }, () => p.call('increment', [])));
      expect(replies.at(-1)).toBe(100);
      await expect(p.getState()).resolves.toMatchObject({ count: 100 });
      expect(systemClock.reads).toBe(reads);
      expect(systemClock.timers).toBe(0);
    });

    it('times out a call still waiting once the run is over, and the one queued behind it', async () => {
      const p = new ServerProcess(counterSpec(), { logger });
      await p.start();
      const hanging = p.call('wait', [], 1);
      const queued = p.call('increment', [], 1);
      await expect(hanging).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 1 });
      await expect(queued).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 1 });
    });

    it('reads the clock at the call itself while the scheduler has yielded to the event loop', async () => {
      const systemClock = new CountingClock();
      const p = new ServerProcess(counterSpec(), { clock: systemClock, logger });
      await p.start();
      let readsAtCall = -1;
      let hanging: Promise<unknown> | undefined;
      // Runs between the first slice and the rest: the casts below fill more than one slice.
      setImmediate(() => {
        const before = systemClock.reads;
        hanging = p.call('wait', [], 1).catch((error: unknown) => error);
        readsAtCall = systemClock.reads - before;
      });
      for (let i = 0; i < 1500; i++) p.cast('record', ['x']);
      while (hanging === undefined) await turn();
      expect(readsAtCall).toBe(1); // a deadline now, not at the end of a run a macrotask away
      await expect(hanging).resolves.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 1 });
    });
  });

  describe('crashes', () => {
    it('fails the in-flight caller and every queued caller with ServerCrashedError', async () => {
      const p = make();
      await p.start();
      const crashing = p.call('explode', []);
      const queued = p.call('increment', [1]);
      p.cast('record', ['lost']);
      const e1 = await crashing.catch((e: unknown) => e);
      const e2 = await queued.catch((e: unknown) => e);
      expect(e1).toBeInstanceOf(ServerCrashedError);
      expect(e1).toMatchObject({
        code: 'SERVER_CRASHED',
        server: 'Counter',
        crashedDuring: "call 'explode'",
      });
      expect((e1 as Error).cause).toEqual(new Error('boom'));
      expect(e2).toBeInstanceOf(ServerCrashedError);
      expect(e2).toMatchObject({ crashedDuring: "call 'explode'", pendingMessage: "call 'increment'" });
      expect(logger.lines.some((l) => l.includes('1 queued cast/info message(s) were lost'))).toBe(true);
      expect(p.info().dropped).toBe(1);
    });

    it('treats a rejected async handler as a crash, and a crashing cast the same way', async () => {
      const p = make();
      await p.start();
      await expect(p.call('explodeLater', [])).rejects.toMatchObject({ code: 'SERVER_CRASHED' });
      const q = make();
      await q.start();
      q.cast('explode', []);
      await turn();
      expect(q.status).toBe('failed');
      expect(q.info().lastCrash).toMatchObject({ during: "cast 'explode'", error: 'Error: boom' });
    });

    it('runs @Terminate with the crash reason and reports the exit to its listener', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      const exits: ExitReason[] = [];
      p.setExitListener((_proc, reason) => {
        exits.push(reason);
        return false;
      });
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      await turn();
      expect(instances[0].terminated).toEqual([
        { kind: 'crash', error: new Error('boom'), during: "call 'explode'" },
      ]);
      expect(exits).toHaveLength(1);
      await expect(p.call('increment', [])).rejects.toBeInstanceOf(ServerNotRunningError);
    });

    it('restarts with a fresh instance; messages sent meanwhile go to the new one', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      p.setExitListener((proc) => {
        queueMicrotask(() => void proc.restart());
        return true;
      });
      await p.start();
      await p.call('increment', [41]);
      await p.call('explode', []).catch(() => undefined);
      const afterCrash = p.call('increment', [1]);
      await expect(afterCrash).resolves.toBe(1);
      expect(instances).toHaveLength(2);
      expect(p.info()).toMatchObject({ status: 'running', incarnation: 2, restarts: 1 });
    });
  });

  describe('init', () => {
    it('handles no message before an async init finishes', async () => {
      const gate = deferred();
      const order: string[] = [];
      const p = make({
        async init(this: Counter) {
          order.push('init start');
          await gate.promise;
          this.count = 100;
          order.push('init end');
        },
      });
      const starting = p.start();
      const reply = p.call('increment', [1]).then((v) => {
        order.push(`reply ${v}`);
      });
      await turn();
      expect(order).toEqual(['init start']);
      gate.resolve();
      await starting;
      await reply;
      expect(order).toEqual(['init start', 'init end', 'reply 101']);
    });

    it('fails the start with InitFailedError naming the server and the init method', async () => {
      const p = make({
        async init() {
          throw new Error('db down');
        },
      });
      const queued = p.call('increment', []);
      const error = await p.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InitFailedError);
      expect((error as Error).message).toBe('Counter failed to start: @Init init() threw Error: db down');
      expect(p.status).toBe('failed');
      await expect(queued).rejects.toBeInstanceOf(ServerNotRunningError);
    });

    it('fails the start when init outlives initTimeout', async () => {
      const p = make({ initTimeout: 1000, init: () => new Promise(() => undefined) });
      const starting = p.start().catch((e: unknown) => e);
      await turn();
      clock.advanceBy(1000);
      const error = await starting;
      expect(error).toMatchObject({ code: 'INIT_FAILED', timeoutMs: 1000 });
    });

    it('fails the start when the factory throws', async () => {
      const p = make({
        create: () => {
          throw new Error('no deps');
        },
      });
      await expect(p.start()).rejects.toThrow(
        'Counter failed to start: creating the instance threw Error: no deps',
      );
    });
  });

  describe('stop', () => {
    it('drains queued messages, then runs @Terminate, then refuses new messages', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      p.cast('record', ['a']);
      p.cast('record', ['b']);
      const queuedCall = p.call('increment', [1]);
      const stopping = p.stop('shutdown');
      expect(() => p.cast('record', ['late'])).toThrow(ServerNotRunningError);
      await expect(p.call('increment', [])).rejects.toMatchObject({
        code: 'SERVER_NOT_RUNNING',
        status: 'stopping',
      });
      await stopping;
      await expect(queuedCall).resolves.toBe(1);
      expect(instances[0].log).toEqual(['a', 'b']);
      expect(instances[0].terminated).toEqual(['shutdown']);
      expect(p.status).toBe('stopped');
      await expect(p.call('increment', [])).rejects.toMatchObject({
        code: 'SERVER_NOT_RUNNING',
        status: 'stopped',
      });
    });

    it('with drain: false refuses what is queued but still terminates', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      const gate = deferred();
      instances[0].gate = gate.promise;
      const inFlight = p.call('slowAdd', [1]);
      await turn();
      const queued = p.call('increment', []);
      const stopping = p.stop('normal', { drain: false });
      await expect(queued).rejects.toBeInstanceOf(ServerNotRunningError);
      gate.resolve();
      await stopping;
      await expect(inFlight).resolves.toBe(1);
      expect(instances[0].terminated).toEqual(['normal']);
    });

    it('kills a server that does not stop within its shutdown timeout, without @Terminate', async () => {
      const instances: Counter[] = [];
      const p = make({ shutdownTimeout: 2000 }, instances);
      const exits: ExitReason[] = [];
      p.setExitListener((_p, r) => {
        exits.push(r);
        return false;
      });
      await p.start();
      const hung = p.call('wait', [], Infinity);
      await turn();
      const stopping = p.stop();
      await turn();
      clock.advanceBy(2000);
      await stopping;
      await expect(hung).rejects.toBeInstanceOf(ServerNotRunningError);
      expect(instances[0].terminated).toEqual([]);
      expect(exits).toEqual(['killed']);
      expect(logger.lines.some((l) => l.includes('did not stop within 2000 ms'))).toBe(true);
    });

    it('counts the casts a shutdown timeout cut off in info().dropped, and logs the count', async () => {
      const instances: Counter[] = [];
      const p = make({ shutdownTimeout: 2000 }, instances);
      await p.start();
      const hung = p.call('wait', [], Infinity);
      for (let i = 0; i < 5; i++) p.cast('record', [`queued ${i}`]);
      const stopping = p.stop('shutdown');
      await turn();
      clock.advanceBy(2000);
      await stopping;
      await expect(hung).rejects.toBeInstanceOf(ServerNotRunningError);
      expect(instances[0].log).toEqual([]);
      expect(p.info()).toMatchObject({ status: 'stopped', dropped: 5, handled: { casts: 0 } });
      expect(logger.lines).toContain(
        'warn Counter: 5 queued cast/info message(s) were not handled (killed after its shutdown timeout)',
      );
    });

    it('drained casts are handled, not dropped: dropped stays 0 after a clean stop', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      await p.start();
      for (let i = 0; i < 3; i++) p.cast('record', [`c${i}`]);
      await p.stop('shutdown');
      expect(instances[0].log).toEqual(['c0', 'c1', 'c2']);
      expect(p.info()).toMatchObject({ dropped: 0, handled: { casts: 3 } });
    });

    it('stopping a server that never started refuses what was queued', async () => {
      const p = make();
      const queued = p.call('increment', []);
      await p.stop();
      await expect(queued).rejects.toBeInstanceOf(ServerNotRunningError);
      expect(p.status).toBe('stopped');
    });

    it('logs a throwing @Terminate and still stops', async () => {
      const p = make({
        terminate() {
          throw new Error('flush failed');
        },
      });
      await p.start();
      await p.stop();
      expect(p.status).toBe('stopped');
      expect(logger.lines.some((l) => l.startsWith('error') && l.includes('threw while stopping'))).toBe(
        true,
      );
    });
  });

  describe('introspection', () => {
    it('reports status, counts, restarts and uptime on the clock', async () => {
      const p = make();
      expect(p.info()).toMatchObject({ status: 'idle', incarnation: 0, uptimeMs: 0 });
      await p.start();
      await p.call('increment', []);
      p.cast('record', ['x']);
      p.send('hello');
      clock.advanceBy(1500);
      expect(p.info()).toMatchObject({ status: 'running', incarnation: 1, mailboxLength: 2, uptimeMs: 1500 });
      await p.call('increment', []);
      expect(p.info().handled).toEqual({ calls: 2, casts: 1, infos: 0, ticks: 0 });
    });
  });

  describe('while restarting', () => {
    /** A process whose exits are answered "will restart" by a fake supervisor that restarts on demand. */
    function restartable(overrides: Partial<ServerSpec<Counter>> = {}) {
      const instances: Counter[] = [];
      const p = make(overrides, instances);
      p.setExitListener(() => true);
      return { p, instances };
    }

    it('queues calls and casts for the new instance; the call is answered by it', async () => {
      const { p, instances } = restartable();
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      expect(p.status).toBe('restarting');
      p.cast('record', ['kept']);
      const answer = p.call('increment', [5]);
      expect(p.mailboxLength).toBe(2);
      await p.restart();
      await expect(answer).resolves.toBe(5);
      expect(instances[1].log).toEqual(['kept']);
    });

    it("with whileRestarting: 'reject' refuses at once with ServerNotRunningError", async () => {
      const { p } = restartable({ whileRestarting: 'reject' });
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      await expect(p.call('increment', [])).rejects.toThrow(
        "Counter cannot handle call 'increment': it is restarting (whileRestarting: 'reject')",
      );
      expect(() => p.cast('record', ['x'])).toThrow(ServerNotRunningError);
      await p.restart();
      await expect(p.call('increment', [])).resolves.toBe(1);
    });

    it('keeps at most restartBuffer messages while down, then refuses with a clear error', async () => {
      const { p } = restartable({ restartBuffer: 2 });
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      p.cast('record', ['1']);
      p.cast('record', ['2']);
      expect(() => p.cast('record', ['3'])).toThrow(
        '2 message(s) already wait for it to run (restartBuffer 2)',
      );
      await p.restart();
      p.cast('record', ['3']);
    });

    it('a call waiting through a restart still times out on its own timeout', async () => {
      const { p } = restartable();
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      const waiting = p.call('increment', [], 1000);
      clock.advanceBy(1000);
      await expect(waiting).rejects.toBeInstanceOf(CallTimeoutError);
    });

    it('a stop forRestart finishes the handler in flight, runs @Terminate and keeps the queue', async () => {
      const instances: Counter[] = [];
      const p = make({}, instances);
      p.setExitListener(() => true);
      await p.start();
      const gate = deferred();
      instances[0].gate = gate.promise;
      const inFlight = p.call('slowAdd', [1]);
      await turn();
      const queued = p.call('increment', [10]);
      const stopped = p.stop('shutdown', { forRestart: true });
      const sentDuring = p.call('increment', [100]);
      gate.resolve();
      await stopped;
      expect(await inFlight).toBe(1);
      expect(instances[0].terminated).toEqual(['shutdown']);
      expect(p.status).toBe('restarting');
      await p.restart();
      expect(await queued).toBe(10);
      expect(await sentDuring).toBe(110);
    });
  });

  describe('start arguments, events, monitors and idleness', () => {
    it('passes start arguments to create and init, and starts synchronously when both are', async () => {
      const seen: unknown[] = [];
      const p = new ServerProcess<Counter>(
        counterSpec({
          create: (_n, args) => {
            seen.push(args);
            return new Counter();
          },
          init(this: Counter, args: unknown) {
            this.count = (args as { start: number }).start;
          },
        }),
        { clock, logger },
        { key: 'k1', args: { start: 41 } },
      );
      void p.start();
      expect(p.status).toBe('running');
      expect(p.name).toBe('Counter[k1]');
      expect(seen).toEqual([{ start: 41 }]);
      expect(await p.call('increment', [])).toBe(42);
      expect(p.info()).toMatchObject({ name: 'Counter[k1]', key: 'k1' });
    });

    it('emits started, crashed, restarted and stopped, and tells monitors only of the final exit', async () => {
      const events: string[] = [];
      const p = new ServerProcess(counterSpec(), {
        clock,
        logger,
        events: (e) => events.push(`${e.type} ${e.name} ${e.restarts}`),
      });
      const downs: ExitReason[] = [];
      p.monitor((reason) => downs.push(reason));
      let restart = true;
      p.setExitListener(() => restart);
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      await turn();
      await p.restart();
      restart = false;
      await p.stop('normal');
      expect(events).toEqual([
        'started Counter 0',
        'crashed Counter 0',
        'restarted Counter 1',
        'stopped Counter 1',
      ]);
      expect(downs).toEqual(['normal']);
    });

    it('logs a crash once when it has no supervisor (a supervisor logs it otherwise)', async () => {
      const p = make();
      await p.start();
      await p.call('explode', []).catch(() => undefined);
      await turn();
      expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([
        "error Counter crashed during call 'explode': Error: boom",
      ]);
      const q = make();
      q.setExitListener(() => false);
      await q.start();
      await q.call('explode', []).catch(() => undefined);
      await turn();
      expect(logger.lines.filter((l) => l.startsWith('error'))).toHaveLength(1);
    });

    it('calls onIdle after idleTimeout ms without messages, measured from the last message', async () => {
      const idle: string[] = [];
      const p = new ServerProcess(counterSpec(), {
        clock,
        logger,
        idleTimeout: 1000,
        onIdle: (child) => idle.push(child.name),
      });
      await p.start();
      clock.advanceBy(600);
      await p.call('increment', []);
      clock.advanceBy(600);
      expect(idle).toEqual([]);
      clock.advanceBy(400);
      expect(idle).toEqual(['Counter']);
    });
  });

  it('a logger that throws while a crash is reported does not stop other servers from running', async () => {
    const throwing: RuntimeLogger = {
      ...logger,
      error: () => {
        throw new Error('logger down');
      },
    };
    // One scheduler, so the throw escapes into the run that has the healthy server queued next.
    const scheduler = new DrainScheduler();
    const broken = new ServerProcess(counterSpec({ terminate: undefined }), {
      clock,
      logger: throwing,
      scheduler,
    });
    const healthy = new ServerProcess(counterSpec(), { clock, logger, scheduler });
    await broken.start();
    await healthy.start();
    const consoleError = console.error;
    const reported: unknown[] = [];
    console.error = (...args: unknown[]) => void reported.push(args[0]);
    try {
      broken.cast('explode', []);
      const answer = healthy.call('increment', [2]);
      await expect(answer).resolves.toBe(2);
      await expect(healthy.call('increment', [1])).resolves.toBe(3);
    } finally {
      console.error = consoleError;
    }
    expect(reported).toEqual(['nestjs-genserver: a server failed while handling its mailbox']);
  });

  it('yields to the event loop between slices so servers messaging each other cannot starve I/O', async () => {
    // They share a scheduler, hence its slice: on two, each hop would empty a queue and refill its budget.
    const scheduler = new DrainScheduler();
    let ticks = 0;
    let ioRan = false;
    const pingPong: { a?: ServerProcess; b?: ServerProcess } = {};
    const spec = (name: string, other: () => ServerProcess | undefined): ServerSpec<object> => ({
      name,
      create: () => ({}),
      casts: {
        ping: () => {
          if (++ticks < 5000) other()?.cast('ping', []);
        },
      },
    });
    pingPong.a = new ServerProcess(
      spec('a', () => pingPong.b),
      { clock, logger, scheduler },
    );
    pingPong.b = new ServerProcess(
      spec('b', () => pingPong.a),
      { clock, logger, scheduler },
    );
    await pingPong.a.start();
    await pingPong.b.start();
    setImmediate(() => {
      ioRan = true;
    });
    pingPong.a.cast('ping', []);
    await Promise.resolve();
    for (let i = 0; i < 10 && !ioRan; i++) await new Promise((r) => setImmediate(r));
    expect(ioRan).toBe(true);
    expect(ticks).toBeLessThan(5000);
    while (ticks < 5000) await turn();
  });

  it('validates timeouts in the spec', () => {
    expect(() => make({ callTimeout: -5 })).toThrow(
      'Counter: callTimeout must be a number of ms >= 0 or Infinity',
    );
  });
});
