import type { PeriodicDeclaration } from './decorators/periodic.decorator.js';
import { badPeriodic } from './genserver.messages.js';
import type { PeriodicFactoryOptions, PeriodicOptions } from './interfaces/periodic-options.interface.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import { parseDuration } from './runtime/periodic/duration.js';
import type { PeriodicSpec } from './runtime/periodic/periodic-job.js';
import { type Schedule, aligned, cron, fixedDelay, fixedRate } from './runtime/periodic/schedule.js';

/** A `@Periodic` method as declared: options, or a factory that gives them at bootstrap. */
export interface DeclaredPeriodic {
  readonly method: string;
  readonly declaration: PeriodicDeclaration;
}

const KNOWN: ReadonlySet<string> = new Set<keyof PeriodicOptions>([
  'every',
  'mode',
  'align',
  'offset',
  'cron',
  'timeZone',
  'runOnInit',
  'jitter',
  'overlap',
  'catchUp',
  'enabled',
  'name',
  'runAs',
]);

export function isPeriodicFactory(declaration: PeriodicDeclaration): declaration is PeriodicFactoryOptions {
  return typeof (declaration as PeriodicFactoryOptions).useFactory === 'function';
}

/**
 * Checks `@Periodic` options and turns them into the runtime's job spec. Throws
 * {@link InvalidDefinitionError} naming class, method and the bad value: an unknown option, neither or
 * both of `every` and `cron`, options that contradict each other, a period ≤ 0 or unparsable, an invalid
 * cron expression or time zone, a jitter not shorter than the period.
 */
export function toPeriodicSpec<T>(
  className: string,
  method: string,
  handler: (this: T) => unknown,
  options: PeriodicOptions,
): PeriodicSpec<T> {
  const fail = (detail: string): never => {
    throw new InvalidDefinitionError(badPeriodic(className, method, detail));
  };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return fail(`expected options like { every: '10m' } or { cron: '0 * * * *' }, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`unknown option '${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  for (const key of ['align', 'runOnInit', 'catchUp', 'enabled'] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'boolean')
      fail(`${key} must be true or false, got ${show(value)}`);
  }
  if (options.overlap !== undefined && options.overlap !== 'skip' && options.overlap !== 'queue') {
    fail(`overlap must be 'skip' or 'queue', got ${show(options.overlap)}`);
  }
  if (options.runAs !== undefined && options.runAs !== 'message' && options.runAs !== 'task') {
    fail(`runAs must be 'message' or 'task', got ${show(options.runAs)}`);
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    fail(`name must be a non-empty string, got ${show(options.name)}`);
  }
  const attempt = <R>(make: () => R): R => {
    try {
      return make();
    } catch (error) {
      return fail((error as Error).message);
    }
  };

  let schedule: Schedule;
  if (options.every !== undefined && options.cron !== undefined) {
    fail(
      `give either every or cron, not both (got every ${show(options.every)} and cron ${show(options.cron)})`,
    );
  }
  if (options.cron !== undefined) {
    for (const key of ['mode', 'align', 'offset'] as const) {
      if (options[key] !== undefined)
        fail(`${key} applies to every, not to cron (got ${key} ${show(options[key])})`);
    }
    if (typeof options.cron !== 'string')
      fail(`cron must be a string like '0 * * * *', got ${show(options.cron)}`);
    if (options.timeZone !== undefined && typeof options.timeZone !== 'string') {
      fail(`timeZone must be an IANA name like 'Europe/Prague', got ${show(options.timeZone)}`);
    }
    schedule = attempt(() => cron(options.cron as string, options.timeZone));
  } else if (options.every !== undefined) {
    if (options.timeZone !== undefined) {
      fail(
        `timeZone applies to cron only (aligned ticks are UTC multiples of the period); for local times use ` +
          `{ cron: '...', timeZone: ${show(options.timeZone)} }`,
      );
    }
    const period = attempt(() => parseDuration(options.every as string | number, 'every'));
    if (!(period > 0)) fail(`every must be longer than 0 ms, got ${show(options.every)}`);
    const mode = options.mode ?? (options.align === true ? 'aligned' : 'fixed-rate');
    if (mode !== 'fixed-rate' && mode !== 'fixed-delay' && mode !== 'aligned') {
      fail(`mode must be 'fixed-rate', 'fixed-delay' or 'aligned', got ${show(mode)}`);
    }
    if (options.align === true && mode !== 'aligned') fail(`align: true contradicts mode '${mode}'`);
    if (options.align === false && mode === 'aligned') fail(`align: false contradicts mode 'aligned'`);
    if (options.offset !== undefined && mode !== 'aligned') {
      fail(`offset applies to aligned schedules only (add align: true), got offset ${show(options.offset)}`);
    }
    if (options.catchUp === true && mode === 'fixed-delay') {
      fail('catchUp contradicts fixed-delay: a fixed delay never falls behind a schedule');
    }
    schedule = attempt(() => {
      if (mode === 'fixed-delay') return fixedDelay(period);
      if (mode === 'aligned') return aligned(period, parseDuration(options.offset ?? 0, 'offset'));
      return fixedRate(period);
    });
  } else {
    return fail(`needs every (e.g. '10m') or cron (e.g. '0 * * * *'), got ${show(options)}`);
  }

  const jitterMs =
    options.jitter === undefined ? 0 : attempt(() => jitterOf(options.jitter as string, schedule));
  return {
    name: options.name ?? method,
    handler,
    schedule,
    ...(options.runOnInit !== undefined ? { runOnInit: options.runOnInit } : {}),
    ...(jitterMs > 0 ? { jitterMs } : {}),
    ...(options.overlap !== undefined ? { overlap: options.overlap } : {}),
    ...(options.catchUp !== undefined ? { catchUp: options.catchUp } : {}),
    ...(options.enabled !== undefined ? { enabled: options.enabled } : {}),
    ...(options.runAs !== undefined ? { runAs: options.runAs } : {}),
  };
}

/** A jitter in ms: a duration, or `'N%'` of the period. It must be shorter than the period. */
function jitterOf(jitter: string | number, schedule: Schedule): number {
  const period = schedule.periodMs;
  let ms: number;
  const percent = typeof jitter === 'string' ? /^(\d+(?:\.\d+)?)%$/.exec(jitter.trim()) : null;
  if (percent !== null) {
    if (period === undefined)
      throw new RangeError(`a percentage jitter needs a period; with cron give a duration like '30s'`);
    ms = Math.round((Number(percent[1]) / 100) * period);
  } else {
    ms = parseDuration(jitter, 'jitter');
  }
  if (period !== undefined && ms >= period) {
    throw new RangeError(`jitter must be shorter than the period (${period} ms), got ${show(jitter)}`);
  }
  return ms;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
