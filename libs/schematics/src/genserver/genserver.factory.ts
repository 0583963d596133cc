import { type Rule, type Tree, chain } from '@angular-devkit/schematics';
import { declareInModule } from '../utils/declare-in-module.rule.js';
import { formatIfAsked } from '../utils/format.rule.js';
import type { GeneratorOptions } from '../utils/generator-options.js';
import { renderFiles } from '../utils/render-files.rule.js';
import { resolveTarget } from '../utils/target.js';

/**
 * `nest g -c nestjs-genserver genserver <name>`: a `@GenServer` class with an `@Init`, two calls and a
 * cast, its spec on the testing kit, registered in the nearest module's providers.
 */
export function main(options: GeneratorOptions): Rule {
  return (tree: Tree) => {
    const target = resolveTarget(tree, options, 'server');
    return chain([declareInModule(target), renderFiles(target), formatIfAsked(options)]);
  };
}
