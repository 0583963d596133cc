import type { Path } from '@angular-devkit/core';
import type { Rule, Tree } from '@angular-devkit/schematics';
import { type DeclarationOptions, ModuleDeclarator, ModuleFinder } from '@nestjs/schematics';
import type { Target } from './target.js';

/**
 * Registers the target's class in the `providers` of the nearest module — the first `*.module.ts`
 * found from the target's folder upwards — with Nest's own finder and declarator. Does nothing with
 * `skipImport`, when no module is found, or when the module already lists the class.
 */
export function declareInModule(target: Target): Rule {
  return (tree: Tree) => {
    if (target.skipImport) return tree;
    const module = new ModuleFinder(tree).find({ name: target.fileName, path: target.directory });
    if (module === null || module === undefined) return tree;
    const content = tree.readText(module);
    if (new RegExp(`\\b${target.className}\\b`).test(content)) return tree;
    const declaration: DeclarationOptions & { isEsm: boolean } = {
      metadata: 'providers',
      name: target.fileName,
      type: target.kind, // the declarator imports `<path>/<name>.<type>`
      className: target.className,
      path: target.directory,
      module: module as Path,
      isEsm: target.importExtension === '.js', // read by @nestjs/schematics 12; 11 ignores it (withExtension)
    };
    tree.overwrite(module, withExtension(new ModuleDeclarator().declare(content, declaration), target));
    return tree;
  };
}

/** An ESM project needs `.js` on the relative import the declarator added (version 11 omits it). */
function withExtension(content: string, target: Target): string {
  if (target.importExtension === '') return content;
  const line = new RegExp(`(import \\{ ${target.className} \\} from ')(\\.{1,2}/[^']*)';`);
  return content.replace(line, (_, head: string, path: string) =>
    path.endsWith('.js') ? `${head}${path}';` : `${head}${path}.js';`,
  );
}
