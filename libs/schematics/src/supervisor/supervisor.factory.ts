import { type Rule, type Tree, chain } from '@angular-devkit/schematics';
import { declareInModule } from '../utils/declare-in-module.rule.js';
import { formatIfAsked } from '../utils/format.rule.js';
import type { GeneratorOptions } from '../utils/generator-options.js';
import { renderFiles } from '../utils/render-files.rule.js';
import { resolveTarget } from '../utils/target.js';

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
  return (tree: Tree) => {
    const target = resolveTarget(tree, options, 'supervisor');
    const strategy = options.strategy ?? 'one_for_one';
    return chain([declareInModule(target), renderFiles(target, { strategy }), formatIfAsked(options)]);
  };
}
