import type { Rule } from '@angular-devkit/schematics';
import { generateClass } from '../utils/generate-class.rule.js';
import type { GeneratorOptions } from '../utils/generator-options.js';

/**
 * `nest g -c nestjs-genserver genserver <name>`: a `@GenServer` class with an `@Init`, two calls and a
 * cast, its spec on the testing kit, registered in the nearest module's providers.
 */
export function main(options: GeneratorOptions): Rule {
  return generateClass(options, 'server');
}
