import { type Rule, noop } from '@angular-devkit/schematics';
import { formatFiles } from '@nestjs/schematics';
import type { GeneratorOptions } from './generator-options.js';
import type { Target } from './target.js';

/** With `--format`, runs Nest's Prettier rule over the generated folder (a no-op without Prettier). */
export function formatIfAsked(options: GeneratorOptions, target: Target): Rule {
  return options.format === true ? formatFiles([target.directory]) : noop();
}
