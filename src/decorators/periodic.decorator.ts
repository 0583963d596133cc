import { PERIODIC_METADATA } from '../genserver.constants.js';
import { methodMetadata } from './method-metadata.js';
import type { PeriodicFactoryOptions, PeriodicOptions } from '../interfaces/periodic-options.interface.js';
import type { Duration } from '../runtime/periodic/duration.js';

/** What `@Periodic` stores: the options, or a factory resolved at bootstrap. */
export type PeriodicDeclaration = PeriodicOptions | PeriodicFactoryOptions;

/**
 * Runs the method on a schedule. Each tick is a message in the server's mailbox, so it never runs at
 * the same time as the server's calls, casts or other ticks. A tick that throws crashes the server like
 * any handler; its supervisor restarts it and the schedule goes on. With `runAs: 'task'` each run is a
 * supervised task instead, beside the mailbox (the method gets an `AbortSignal`; a failure is logged
 * and counted, not a crash).
 *
 * @example
 * @Periodic('10m')                                              // every 10 minutes from start, no drift
 * @Periodic('1h', { align: true })                             // every hour on the hour
 * @Periodic('30s', { mode: 'fixed-delay' })                    // 30 s after the previous run ended
 * @Periodic({ cron: '0 3 * * *', timeZone: 'Europe/Prague' })  // 03:00 Prague time, DST-aware
 * @Periodic({ useFactory: (c: ConfigService) => ({ every: c.get('SYNC_EVERY') }), inject: [ConfigService] })
 */
export function Periodic(options: PeriodicFactoryOptions): MethodDecorator;
export function Periodic(options: PeriodicOptions): MethodDecorator;
export function Periodic(every: Duration, options?: Omit<PeriodicOptions, 'every'>): MethodDecorator;
export function Periodic(
  schedule: Duration | PeriodicOptions | PeriodicFactoryOptions,
  options: Omit<PeriodicOptions, 'every'> = {},
): MethodDecorator {
  const declaration: PeriodicDeclaration =
    typeof schedule === 'number' || typeof schedule === 'string' ? { ...options, every: schedule } : schedule;
  return methodMetadata(PERIODIC_METADATA, declaration, 'Periodic');
}
