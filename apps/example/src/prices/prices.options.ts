import { Injectable } from '@nestjs/common';
import type { Duration } from 'nestjs-genserver';

/**
 * The price sync's demo settings: besides the hourly run, a demo run every 10 s (or PRICE_DEMO_EVERY) so
 * something visibly happens at once. Tests pin them with `overrideProvider(PricesOptions).useValue(...)`.
 */
@Injectable()
export class PricesOptions {
  /** The period of the demo job. */
  readonly demoEvery: Duration = process.env.PRICE_DEMO_EVERY ?? '10s';
  /** False registers the demo job paused (`POST /jobs/PriceSync.demo/resume` starts it). */
  readonly demo: boolean = true;
  /** How many runs the sync keeps in its history. */
  readonly historySize: number = 5;
}
