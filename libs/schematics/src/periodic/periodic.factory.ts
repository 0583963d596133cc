import { type Rule, SchematicsException } from '@angular-devkit/schematics';
import { Cron } from 'croner';
import { generateClass } from '../utils/generate-class.rule.js';
import type { GeneratorOptions } from '../utils/generator-options.js';

/** The options of `periodic`: the generator's, plus the schedule. */
export interface PeriodicOptions extends GeneratorOptions {
  /** A period: `30s`, `5m`, `1h30m` (a plain number is milliseconds). Default `1m` without `cron`. */
  every?: string;
  /** A cron expression instead of a period. */
  cron?: string;
  /** How `every` is scheduled (default `fixed-rate`). */
  mode?: 'fixed-rate' | 'fixed-delay' | 'aligned';
}

/** The period used when neither `--every` nor `--cron` is given. */
export const DEFAULT_EVERY = '1m';

/**
 * `nest g -c nestjs-genserver periodic <name>`: a GenServer whose `run()` is a `@Periodic` job, with
 * a call reading what the runs did and a spec that moves the testing kit's clock to the next tick.
 */
export function main(options: PeriodicOptions): Rule {
  // The schedule is checked first: a wrong option fails before anything is resolved or written.
  return generateClass(options, 'server', { decorator: periodicDecorator(options) });
}

/**
 * The `@Periodic(...)` for the schedule options: `@Periodic('1h')`, `@Periodic('30s', { mode:
 * 'fixed-delay' })`, `@Periodic('1h', { align: true })`, `@Periodic({ cron: '0 3 * * *' })`.
 * Contradicting or invalid options throw, naming the option and what to give instead.
 */
export function periodicDecorator(options: Pick<PeriodicOptions, 'every' | 'cron' | 'mode'>): string {
  const { every, cron, mode } = options;
  if (every !== undefined && cron !== undefined) {
    throw new SchematicsException(
      `Give --every or --cron, not both (got --every ${every} and --cron '${cron}').`,
    );
  }
  if (cron !== undefined) {
    if (mode !== undefined && mode !== 'fixed-rate') {
      throw new SchematicsException(
        `--mode ${mode} applies to --every; a cron schedule runs at the times it matches. Drop --mode or use --every.`,
      );
    }
    checkCron(cron);
    return `@Periodic({ cron: ${quote(cron)} })`;
  }
  const period = every ?? DEFAULT_EVERY;
  const literal = /^\d+$/.test(period) ? period : quote(period);
  if (mode === 'fixed-delay') return `@Periodic(${literal}, { mode: 'fixed-delay' })`;
  if (mode === 'aligned') return `@Periodic(${literal}, { align: true })`;
  return `@Periodic(${literal})`;
}

function checkCron(expression: string): void {
  try {
    new Cron(expression, { paused: true }).stop();
  } catch (error) {
    throw new SchematicsException(
      `--cron '${expression}' is not a valid cron expression: ${(error as Error).message}. ` +
        "Use five fields (minute hour day month weekday), e.g. '0 3 * * *' for 03:00 every day.",
    );
  }
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
