import { Injectable } from '@nestjs/common';
import type { Duration } from 'nestjs-genserver';

/**
 * The collector's demo settings: a sample every 5 s, the last minute kept. Tests pin them with
 * `overrideProvider(MetricsOptions).useValue({ ... })`.
 */
@Injectable()
export class MetricsOptions {
  /** The fixed rate of the samples. */
  readonly every: Duration = '5s';
  /** How many samples the ring keeps: older ones are dropped. */
  readonly keep: number = 12;
  /** A tick that starts later than this after its planned time is logged. */
  readonly warnLateMs: number = 100;
}
