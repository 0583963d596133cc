import { Injectable } from '@nestjs/common';
import type { Duration } from 'nestjs-genserver';

/**
 * The warmer's demo setting: it cools down after 30 quiet seconds, so a visitor sees it happen.
 * Tests pin it with `overrideProvider(WarmerOptions).useValue({ idleAfter: '10m' })`.
 */
@Injectable()
export class WarmerOptions {
  /** How long without a message before the warmer drops its products. */
  readonly idleAfter: Duration = '30s';
}
