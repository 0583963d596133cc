/**
 * Scenario: a notification sender whose dependencies are replaced in tests.
 *
 * From "GenServer Patterns You Should Know" ("For GenServers with external dependencies, inject them"):
 * `NotificationSender` takes its notifier in `start_link(notifier: MockNotifier)`. In Nest the notifier
 * is a provider the server gets by DI, so a test swaps it with `overrideProvider(Notifier)` — and every
 * instance, restarts included, gets the swap. A GenServer dependency (the `RateLimiter` the sender asks
 * before each e-mail) is swapped with `GenServerTesting.mock(RateLimiter, …)`: Jest spies behind a real
 * mailbox, so the sender keeps its real `call` path.
 *
 * Proves: what was sent, to whom; a notifier failure crashes the sender (let it crash: the caller gets
 * `ServerCrashedError`), the supervisor restarts it, and the restarted sender still uses the mock; a
 * mocked rate limiter is called with the recipient and its answer decides.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  HandleCall,
  InjectServer,
  Periodic,
  ServerCrashedError,
  type ServerRef,
} from 'nestjs-genserver';
import {
  GenServerTesting,
  type GenServerHarness,
  type GenServerTestingOptions,
} from 'nestjs-genserver/testing';

/** Sends e-mails through the mail provider's API. Never reached in these tests: they override it. */
@Injectable()
export class Notifier {
  async send(to: string, message: string): Promise<void> {
    await fetch('https://mail.example.com/send', { method: 'POST', body: JSON.stringify({ to, message }) });
  }
}

/** At most three notifications per recipient per hour. */
@GenServer()
export class RateLimiter {
  private readonly counts = new Map<string, number>();

  @HandleCall()
  acquire(recipient: string): boolean {
    const count = (this.counts.get(recipient) ?? 0) + 1;
    this.counts.set(recipient, count);
    return count <= 3;
  }

  @Periodic('1h')
  reset(): void {
    this.counts.clear();
  }
}

@GenServer()
export class NotificationSender {
  constructor(
    private readonly notifier: Notifier,
    @InjectServer(RateLimiter) private readonly limiter: ServerRef<RateLimiter>,
  ) {}

  @HandleCall()
  async notify(to: string, message: string): Promise<'sent' | 'rate_limited'> {
    if (!(await this.limiter.call('acquire', to))) return 'rate_limited';
    await this.notifier.send(to, message); // a rejection crashes the sender; its caller gets the error
    return 'sent';
  }
}

@Module({
  imports: [GenServerModule.forFeature([RateLimiter])], // makes ServerRef<RateLimiter> injectable
  providers: [Notifier, RateLimiter, NotificationSender],
})
export class NotificationsModule {}

describe('Scenario: NotificationSender with a mocked Notifier and a mocked RateLimiter', () => {
  let harness: GenServerHarness;
  const notifier = { send: jest.fn<Notifier['send']>() };

  const start = async (options: GenServerTestingOptions = {}) => {
    notifier.send.mockReset().mockResolvedValue(undefined);
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), NotificationsModule] })
        .overrideProvider(Notifier)
        .useValue(notifier),
      options,
    );
    return harness.ref(NotificationSender);
  };
  afterEach(() => harness.close());

  it('sends through the injected Notifier, within the real rate limit', async () => {
    const sender = await start();

    for (const n of [1, 2, 3]) {
      expect(await sender.call('notify', 'ana@example.com', `Hi #${n}`)).toBe('sent');
    }
    expect(await sender.call('notify', 'ana@example.com', 'Hi #4')).toBe('rate_limited');

    expect(notifier.send.mock.calls).toEqual([
      ['ana@example.com', 'Hi #1'],
      ['ana@example.com', 'Hi #2'],
      ['ana@example.com', 'Hi #3'],
    ]);
  });

  it('a failing Notifier crashes the sender; the restarted sender still uses the mock', async () => {
    const sender = await start();
    notifier.send.mockRejectedValueOnce(new Error('SMTP 421: try again later'));

    await expect(sender.call('notify', 'ana@example.com', 'Welcome!')).rejects.toThrow(ServerCrashedError);
    await harness.idle(); // the call fails at the crash; the restart happens right after
    expect(harness.events.types(NotificationSender)).toEqual(['started', 'crashed', 'restarted']);
    expect(harness.info(NotificationSender).lastCrash?.error).toContain('SMTP 421');

    expect(await sender.call('notify', 'ana@example.com', 'Welcome!')).toBe('sent'); // same ref, new instance
    expect(notifier.send).toHaveBeenCalledTimes(2);
  });

  it('GenServerTesting.mock(RateLimiter) replaces the server the sender calls', async () => {
    const limiter = GenServerTesting.mock(RateLimiter, { acquire: (to) => to !== 'flood@example.com' });
    const sender = await start({ mocks: [limiter] });

    expect(await sender.call('notify', 'flood@example.com', 'Hi')).toBe('rate_limited');
    expect(await sender.call('notify', 'bob@example.com', 'Hi')).toBe('sent');

    expect(limiter.acquire).toHaveBeenCalledWith('flood@example.com');
    expect(limiter.acquire).toHaveBeenCalledWith('bob@example.com');
    expect(notifier.send).toHaveBeenCalledTimes(1);
    expect(notifier.send).toHaveBeenCalledWith('bob@example.com', 'Hi');
  });
});
