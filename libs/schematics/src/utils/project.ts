import type { Tree } from '@angular-devkit/schematics';

/** True when the project's package.json says `"type": "module"` (a Nest 12 app): relative imports end in `.js`. */
export function isEsmProject(tree: Tree): boolean {
  return readJson(tree, 'package.json')?.['type'] === 'module';
}

/**
 * The source root of the default project: `sourceRoot` of nest-cli.json when the CLI did not pass one
 * (`npx schematics` does not), else `src`.
 */
export function defaultSourceRoot(tree: Tree): string {
  const sourceRoot = readJson(tree, 'nest-cli.json')?.['sourceRoot'];
  return typeof sourceRoot === 'string' && sourceRoot.length > 0 ? sourceRoot : 'src';
}

/** A JSON object file of the tree, or undefined when it is missing or not an object. */
export function readJson(tree: Tree, path: string): Record<string, unknown> | undefined {
  const buffer = tree.read(path);
  if (buffer === null) return undefined;
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
