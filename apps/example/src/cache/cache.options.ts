import { Injectable } from '@nestjs/common';
import type { Duration } from 'nestjs-genserver';

/**
 * The cache's demo settings: a sweep every few seconds, so a visitor sees expired entries leave memory.
 * Tests pin them with `overrideProvider(CacheOptions).useValue({ ... })`.
 */
@Injectable()
export class CacheOptions {
  /** How often the sweeper removes expired entries. */
  readonly sweepEvery: Duration = '5s';
  /** The TTL of an entry put without `ttlMs`. */
  readonly defaultTtl: Duration = '30s';
}
