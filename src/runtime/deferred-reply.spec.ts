import type { DeferredReply } from './deferred-reply.js';
import { CallTimeoutError } from './errors/call-timeout.error.js';
import { ServerCrashedError } from './errors/server-crashed.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import { consoleLogger } from './logger.js';
import { ManualClock } from './manual-clock.js';
import { ServerProcess } from './server-process.js';
import type { ServerSpec } from './server-spec.js';
import { turn } from './spec-helpers.js';

/** A lookup server whose slow call answers later, from a `resolve` cast or directly by the test. */
class Lookup {
  process!: ServerProcess<Lookup>;
  waiting: DeferredReply<string>[] = [];
  served = 0;

  slow(key: string): DeferredReply<string> {
    const reply = this.process.deferReply<string>();
    this.waiting.push(reply);
    void key;
    return reply;
  }
  async slowAfterAwait(): Promise<DeferredReply<string>> {
    await Promise.resolve();
    const reply = this.process.deferReply<string>();
    this.waiting.push(reply);
    return reply;
  }
  fast(): number {
    return ++this.served;
  }
  resolve(value: string): void {
    for (const reply of this.waiting.splice(0)) reply.reply(value);
  }
  deferTwice(): void {
    this.process.deferReply();
    this.process.deferReply();
  }
  explode(): never {
    throw new Error('boom');
  }
}

const quiet = { ...consoleLogger, error: () => undefined, warn: () => undefined };

function lookupSpec(instances: Lookup[]): ServerSpec<Lookup> {
  const method = (name: keyof Lookup) => Lookup.prototype[name] as ServerSpec<Lookup>['init'] & object;
  return {
    name: 'Lookup',
    create: () => {
      const instance = new Lookup();
      instances.push(instance);
      return instance;
    },
    attach: (instance, process) => {
      instance.process = process;
    },
    calls: {
      slow: method('slow'),
      slowAfterAwait: method('slowAfterAwait'),
      fast: method('fast'),
      deferTwice: method('deferTwice'),
    },
    casts: { resolve: method('resolve'), explode: method('explode') },
    callTimeout: 1000,
  };
}

describe('deferred replies', () => {
  let clock: ManualClock;
  let instances: Lookup[];
  let server: ServerProcess<Lookup>;

  beforeEach(async () => {
    clock = new ManualClock();
    instances = [];
    server = new ServerProcess(lookupSpec(instances), { clock, logger: quiet });
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('lets the server keep serving while a call waits for a reply given later by another message', async () => {
    const slow = server.call('slow', ['k']);
    await expect(server.call('fast', [])).resolves.toBe(1);
    await expect(server.call('fast', [])).resolves.toBe(2);
    server.cast('resolve', ['value']);
    await expect(slow).resolves.toBe('value');
    expect(server.info().handled.calls).toBe(3);
  });

  it('accepts the deferral after an await inside an async handler', async () => {
    const slow = server.call('slowAfterAwait', []);
    await turn();
    instances[0].waiting[0].reply('later');
    await expect(slow).resolves.toBe('later');
  });

  it('passes a failure to the caller as given, without crashing the server', async () => {
    const slow = server.call('slow', ['k']);
    await turn();
    const failure = new Error('upstream is down');
    expect(instances[0].waiting[0].fail(failure)).toBe(true);
    await expect(slow).rejects.toBe(failure);
    expect(server.status).toBe('running');
  });

  it('still times the caller out, then ignores and counts the late reply', async () => {
    const slow = server.call('slow', ['k']);
    const outcome = slow.catch((error: unknown) => error);
    await turn();
    clock.advanceBy(1000);
    expect(await outcome).toBeInstanceOf(CallTimeoutError);
    expect(instances[0].waiting[0].reply('too late')).toBe(false);
    expect(server.info().ignoredReplies).toBe(1);
  });

  it('ignores and counts a second reply', async () => {
    const slow = server.call('slow', ['k']);
    await turn();
    const reply = instances[0].waiting[0];
    expect(reply.reply('first')).toBe(true);
    expect(reply.reply('second')).toBe(false);
    expect(reply.fail(new Error('third'))).toBe(false);
    await expect(slow).resolves.toBe('first');
    expect(server.info().ignoredReplies).toBe(2);
  });

  it('fails a waiting caller when the server crashes before replying; a reply after that is ignored', async () => {
    const slow = server.call('slow', ['k']);
    const outcome = slow.catch((error: unknown) => error);
    await turn();
    const reply = instances[0].waiting[0];
    server.cast('explode', []);
    const error = await outcome;
    expect(error).toBeInstanceOf(ServerCrashedError);
    expect(error).toMatchObject({
      crashedDuring: "cast 'explode'",
      pendingMessage: "call 'slow'",
      stage: 'deferred',
    });
    expect((error as Error).message).toContain('before it replied to your call');
    expect(reply.reply('after the crash')).toBe(false);
  });

  it('fails a waiting caller with ServerNotRunningError when the server stops first', async () => {
    const slow = server.call('slow', ['k']);
    const outcome = slow.catch((error: unknown) => error);
    await turn();
    await server.stop();
    const error = await outcome;
    expect(error).toBeInstanceOf(ServerNotRunningError);
    expect((error as Error).message).toContain('deferred');
  });

  it('refuses deferReply outside a running call handler, twice in one call, or from a stale instance', async () => {
    expect(() => server.deferReply()).toThrow(/only inside a @HandleCall handler/);
    await expect(server.call('deferTwice', [])).rejects.toThrow(/already deferred/);
    // the throw crashed the server (no supervisor here: restart it by hand); instance 1 is stale now
    await server.restart();
    const slow = server.call('slow', ['k']);
    await turn();
    expect(() => server.deferReply(1)).toThrow(/only inside a @HandleCall handler/);
    instances[1].resolve('v');
    await expect(slow).resolves.toBe('v');
  });
});
