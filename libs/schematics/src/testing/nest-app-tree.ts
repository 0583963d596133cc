import { join } from 'node:path';
import type { Tree } from '@angular-devkit/schematics';
import { SchematicTestRunner, type UnitTestTree } from '@angular-devkit/schematics/testing';

/** The collection under test, from source: factories, schemas and templates as they are shipped. */
export const runner = new SchematicTestRunner('nestjs-genserver', join(__dirname, '..', 'collection.json'));

const nest = new SchematicTestRunner(
  '@nestjs/schematics',
  require.resolve('@nestjs/schematics/dist/collection.json'),
);

/**
 * A fresh Nest app, as `nest new` writes it (Nest's own `application` schematic), at the root of the
 * tree. Nest 11's is CommonJS; `esm: true` marks it `"type": "module"` as Nest 12 apps are.
 */
export async function nestAppTree(options: { esm?: boolean } = {}): Promise<UnitTestTree> {
  const tree = await nest.runSchematic('application', { name: 'app', directory: '.', packageManager: 'npm' });
  if (options.esm === true) {
    const pkg = JSON.parse(tree.readText('package.json')) as Record<string, unknown>;
    tree.overwrite('package.json', JSON.stringify({ ...pkg, type: 'module' }, null, 2));
  }
  return tree;
}

/** Runs one of our schematics on `tree`. */
export function run(name: string, options: object, tree: Tree): Promise<UnitTestTree> {
  return runner.runSchematic(name, options, tree);
}
