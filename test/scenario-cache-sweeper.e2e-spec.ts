/**
 * Scenario: a cache owned by a GenServer, swept of expired entries every minute.
 *
 * From "Is GenServer used in real life applications?" (Elixir Forum), a GenServer for the clean-up of a
 * cache: "I originally implemented the entire cache in a genserver […] but still use the GenServer to
 * periodically go over the cache and remove expired entries." Here the whole cache is the server's
 * state: `put`/`get` are calls and the sweep is a tick, all through one mailbox, so the sweep never
 * races a write. The post does not say how the sweep is scheduled; `@Periodic('1m')` is the one-liner.
 * The hand-written alternative is a `@HandleCast() sweep()` that ends with `this.self.castAfter('1m',
 * 'sweep')`, first scheduled from `@Init` (the MetricsCollector of "GenServer Patterns You Should Know"):
 * it drifts by each sweep's duration.
 *
 * Proves, on the manual clock: `get` stops serving an entry at its TTL, but the entry leaves memory only
 * at the first sweep after it (seen with `getState`); each sweep removes exactly what has expired by then.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type Duration,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  Periodic,
  parseDuration,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

interface Entry {
  readonly value: string;
  readonly expiresAt: number; // epoch ms, on the runtime's clock
}

@GenServer()
export class Cache {
  readonly entries = new Map<string, Entry>();

  constructor(private readonly runtime: GenServerRuntime) {}

  @HandleCall()
  put(key: string, value: string, ttl: Duration): void {
    this.entries.set(key, { value, expiresAt: this.runtime.clock.now() + parseDuration(ttl, 'ttl') });
  }

  @HandleCall()
  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.runtime.clock.now() ? entry.value : undefined;
  }

  @Periodic('1m') // a tick in the mailbox: never in the middle of a put or a get
  sweep(): void {
    const now = this.runtime.clock.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

@Module({ providers: [Cache] })
export class CacheModule {}

describe('Scenario: a GenServer cache with a periodic sweeper', () => {
  let harness: GenServerHarness;
  /** The keys the cache holds in memory, expired or not: only getState() shows them. */
  const heldKeys = async () => [...(await harness.getState(Cache)).entries.keys()];

  beforeEach(async () => {
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), CacheModule] }),
      { now: '2026-03-05T10:00:00Z' }, // sweeps at 10:01, 10:02, …
    );
  });
  afterEach(() => harness.close());

  it('stops serving an entry at its TTL; the next sweep removes it from memory', async () => {
    const cache = harness.ref(Cache);
    await cache.call('put', 'session:ana', 'token-a', '90s'); // expires at 10:01:30
    await cache.call('put', 'session:bob', 'token-b', '5m');

    await harness.advanceBy('90s'); // 10:01:30; the 10:01 sweep found nothing expired
    expect(await cache.call('get', 'session:ana')).toBeUndefined();
    expect(await cache.call('get', 'session:bob')).toBe('token-b');
    expect(await heldKeys()).toEqual(['session:ana', 'session:bob']); // expired, not yet swept

    await harness.advanceBy('30s'); // 10:02: the first sweep after ana's TTL
    expect(await heldKeys()).toEqual(['session:bob']);
  });

  it('each sweep removes exactly what has expired by its tick', async () => {
    const cache = harness.ref(Cache);
    await cache.call('put', 'a', '1', '30s');
    await cache.call('put', 'b', '2', '1m'); // expires on the 10:01 tick itself
    await cache.call('put', 'c', '3', 60_001); // one millisecond later: waits for 10:02

    await harness.advanceBy(60_000 - 1);
    expect(await heldKeys()).toEqual(['a', 'b', 'c']); // no sweep yet
    await harness.advanceBy(1);
    expect(await heldKeys()).toEqual(['c']);
    await harness.advanceBy('1m');
    expect(await heldKeys()).toEqual([]);
  });
});
