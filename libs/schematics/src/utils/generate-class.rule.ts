import { type Rule, type Tree, chain } from '@angular-devkit/schematics';
import { declareInModule } from './declare-in-module.rule.js';
import { formatIfAsked } from './format.rule.js';
import type { GeneratorOptions } from './generator-options.js';
import { renderFiles } from './render-files.rule.js';
import { type Target, resolveTarget } from './target.js';

/**
 * What every class generator does: resolve the target from the options, register the class in the
 * nearest module, render the generator's `files/` (the templates also see `extra`), and format on
 * `--format`.
 */
export function generateClass(
  options: GeneratorOptions,
  kind: Target['kind'],
  extra: Record<string, unknown> = {},
): Rule {
  return (tree: Tree) => {
    const target = resolveTarget(tree, options, kind);
    return chain([declareInModule(target), renderFiles(target, extra), formatIfAsked(options)]);
  };
}
