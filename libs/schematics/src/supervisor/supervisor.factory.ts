import type { Rule } from '@angular-devkit/schematics';
import { generateClass } from '../utils/generate-class.rule.js';
import type { GeneratorOptions } from '../utils/generator-options.js';

/** The options of `supervisor`: the generator's, plus the restart strategy. */
export interface SupervisorOptions extends GeneratorOptions {
  /** What a child's exit restarts (default `one_for_one`). */
  strategy?: 'one_for_one' | 'one_for_all' | 'rest_for_one';
}

/**
 * `nest g -c nestjs-genserver supervisor <name>`: a `@Supervised` class — a node of the supervision
 * tree that lists its children — with a spec, registered in the nearest module's providers.
 */
export function main(options: SupervisorOptions): Rule {
  return generateClass(options, 'supervisor', { strategy: options.strategy ?? 'one_for_one' });
}
