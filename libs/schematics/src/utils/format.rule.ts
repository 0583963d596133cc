import { join } from 'node:path';
import { type Rule, type Tree, noop } from '@angular-devkit/schematics';
import type { GeneratorOptions } from './generator-options.js';
import { readJson } from './project.js';

const FORMATTED = /\.(ts|js|mjs|cjs)$/;

/**
 * With `--format`, runs Prettier over every file the run creates or updates (the module included), with
 * the project's config: its `.prettierrc` (JSON, as `nest new` writes it), else whatever Prettier finds
 * from the project's folder. Nothing happens when the project has no Prettier.
 */
export function formatIfAsked(options: GeneratorOptions): Rule {
  if (options.format !== true) return noop();
  return async (tree: Tree) => {
    let prettier: typeof import('prettier');
    try {
      prettier = await import('prettier');
    } catch {
      return tree;
    }
    const projectConfig = readJson(tree, '.prettierrc');
    for (const action of tree.actions) {
      if ((action.kind !== 'c' && action.kind !== 'o') || !FORMATTED.test(action.path)) continue;
      const path = action.path.slice(1);
      const config = projectConfig ?? (await prettier.resolveConfig(join(process.cwd(), path))) ?? {};
      const source = tree.readText(path);
      const formatted = await prettier.format(source, { ...config, filepath: path });
      if (formatted !== source) tree.overwrite(path, formatted);
    }
    return tree;
  };
}
