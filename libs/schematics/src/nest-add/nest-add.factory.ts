import { join, normalize } from '@angular-devkit/core';
import { type Rule, SchematicsException, type Tree, chain } from '@angular-devkit/schematics';
import { type DeclarationOptions, ModuleMetadataDeclarator } from '@nestjs/schematics';
import { addNamedImport } from '../utils/add-named-import.js';
import { defaultSourceRoot, readJson } from '../utils/project.js';
import { ownVersion } from '../utils/own-version.js';

/** The options of `nest add nestjs-genserver`. */
export interface NestAddOptions {
  /** The project's source root (the Nest CLI passes it). */
  sourceRoot?: string;
  /** The root module file; default `<sourceRoot>/app.module.ts`. */
  module?: string;
  /** Only add the dependency. */
  skipImport?: boolean;
}

const PACKAGE = 'nestjs-genserver';

/**
 * `nest add nestjs-genserver`: puts the package in the app's dependencies and
 * `GenServerModule.forRoot()` in its root module's imports. Running it again changes nothing.
 */
export function main(options: NestAddOptions): Rule {
  return chain([addDependency(), options.skipImport === true ? (tree: Tree) => tree : addForRoot(options)]);
}

function addDependency(): Rule {
  return (tree: Tree) => {
    const pkg = readJson(tree, 'package.json');
    if (pkg === undefined) {
      throw new SchematicsException(
        'No package.json here: run `nest add nestjs-genserver` in the root of a Nest app.',
      );
    }
    const dependencies = (pkg['dependencies'] ?? {}) as Record<string, string>;
    if (dependencies[PACKAGE] !== undefined) return tree;
    const sorted = Object.fromEntries(
      Object.entries({ ...dependencies, [PACKAGE]: `^${ownVersion()}` }).sort(([a], [b]) =>
        a.localeCompare(b),
      ),
    );
    tree.overwrite('package.json', `${JSON.stringify({ ...pkg, dependencies: sorted }, null, 2)}\n`);
    return tree;
  };
}

function addForRoot(options: NestAddOptions): Rule {
  return (tree: Tree) => {
    const sourceRoot = options.sourceRoot ?? defaultSourceRoot(tree);
    const modulePath = options.module ?? join(normalize(sourceRoot), 'app.module.ts');
    const content = tree.exists(modulePath) ? tree.readText(modulePath) : undefined;
    if (content === undefined) {
      throw new SchematicsException(
        `No root module at ${modulePath}. Pass the file that holds your root module: ` +
          'nest add nestjs-genserver --module=src/main.module.ts',
      );
    }
    if (/GenServerModule\s*\.\s*forRoot(Async)?\s*\(/.test(content)) return tree;
    const declaration = { metadata: 'imports', symbol: 'GenServerModule.forRoot()' } as DeclarationOptions;
    const declared = new ModuleMetadataDeclarator().declare(content, declaration);
    if (declared === content) {
      throw new SchematicsException(
        `${modulePath} has no @Module({ ... }) that can take an import. Add GenServerModule.forRoot() to ` +
          "your root module's imports by hand (import { GenServerModule } from 'nestjs-genserver').",
      );
    }
    tree.overwrite(modulePath, addNamedImport(declared, 'GenServerModule', PACKAGE));
    return tree;
  };
}
