import { Logger } from '@nestjs/common';
import {
  type Duration,
  GenServer,
  GenServerRuntime,
  HandleCall,
  Periodic,
  parseDuration,
} from 'nestjs-genserver';
import { CacheOptions } from './cache.options.js';

/** One cached value; `expiresAt` is epoch ms on the runtime's clock. */
interface Entry {
  readonly value: unknown;
  readonly expiresAt: number;
}

/** A value the cache serves. */
export interface CachedValue {
  readonly key: string;
  readonly value: unknown;
  readonly expiresAt: string;
}

/** What the last sweep did. */
export interface SweepReport {
  readonly at: string;
  readonly removed: number;
}

/** The cache's counters. `size` counts what is held in memory, expired entries not yet swept included. */
export interface CacheStats {
  readonly size: number;
  readonly expiredNotSwept: number;
  readonly hits: number;
  readonly misses: number;
  readonly sweeps: number;
  readonly swept: number;
  readonly lastSweep: SweepReport | null;
}

/**
 * A cache owned by a GenServer, from the Elixir Forum thread "Is GenServer used in real life
 * applications?": the entries are the server's state, `put`/`get`/`delete` are calls and the sweep of
 * expired entries is a periodic tick in the same mailbox, so a sweep never races a write.
 * `get` stops serving an entry at its TTL; the entry leaves memory at the first sweep after it.
 */
@GenServer()
export class CacheServer {
  private readonly logger = new Logger(CacheServer.name);
  readonly entries = new Map<string, Entry>();
  private hits = 0;
  private misses = 0;
  private sweeps = 0;
  private swept = 0;
  private lastSweep: SweepReport | null = null;

  constructor(
    private readonly runtime: GenServerRuntime, // its clock is the manual one in tests
    private readonly options: CacheOptions,
  ) {}

  /** Stores `value` under `key` for `ttl` (default: the options' `defaultTtl`). */
  @HandleCall()
  put(key: string, value: unknown, ttl: Duration | undefined): CachedValue {
    const expiresAt = this.runtime.clock.now() + parseDuration(ttl ?? this.options.defaultTtl, 'ttl');
    this.entries.set(key, { value, expiresAt });
    return { key, value, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The entry under `key` if it has not expired; an expired one is a miss, even before it is swept. */
  @HandleCall()
  get(key: string): CachedValue | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.runtime.clock.now()) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return { key, value: entry.value, expiresAt: new Date(entry.expiresAt).toISOString() };
  }

  /** Removes `key`; false if it was not there (or had expired). */
  @HandleCall()
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry !== undefined && entry.expiresAt > this.runtime.clock.now();
  }

  @HandleCall()
  stats(): CacheStats {
    const now = this.runtime.clock.now();
    let expired = 0;
    for (const entry of this.entries.values()) if (entry.expiresAt <= now) expired++;
    const { hits, misses, sweeps, swept, lastSweep } = this;
    return { size: this.entries.size, expiredNotSwept: expired, hits, misses, sweeps, swept, lastSweep };
  }

  /** A tick in the mailbox: never in the middle of a put or a get. Removes what has expired by now. */
  @Periodic({
    useFactory: (options: CacheOptions) => ({ every: options.sweepEvery }),
    inject: [CacheOptions],
  })
  sweep(): void {
    const now = this.runtime.clock.now();
    const before = this.entries.size;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    this.recordSweep(now, before - this.entries.size); // counters, and a log line if it removed any
  }

  private recordSweep(now: number, removed: number): void {
    this.sweeps++;
    this.swept += removed;
    this.lastSweep = { at: new Date(now).toISOString(), removed };
    if (removed > 0)
      this.logger.log(
        `Swept ${removed} expired ${removed === 1 ? 'entry' : 'entries'}, ${this.entries.size} left`,
      );
  }
}
