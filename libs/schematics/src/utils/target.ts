import { type Path, join, normalize, strings } from '@angular-devkit/core';
import { SchematicsException, type Tree } from '@angular-devkit/schematics';
import { NameParser, normalizeToKebabOrSnakeCase } from '@nestjs/schematics';
import type { GeneratorOptions } from './generator-options.js';
import { defaultSourceRoot, isEsmProject } from './project.js';

/** What a generator creates, resolved from its options and the project. */
export interface Target {
  /** Kebab-case file stem: `price-sync` for `price-sync.server.ts`. */
  readonly fileName: string;
  /** The class: `PriceSyncServer`. */
  readonly className: string;
  /** The file kind and class suffix: `server` or `supervisor`. */
  readonly kind: 'server' | 'supervisor';
  /** The folder the files go to (source root included). */
  readonly directory: Path;
  readonly spec: boolean;
  readonly specFileSuffix: string;
  readonly skipImport: boolean;
  /** `.js` in an ESM project (relative imports need it), '' in CommonJS. */
  readonly importExtension: '.js' | '';
}

/**
 * Resolves a generator's options against the project, as Nest's own generators do: `billing/prices`
 * goes to `<sourceRoot>/billing/prices/prices.server.ts` (or `<sourceRoot>/billing/prices.server.ts`
 * with `flat`). A name that already ends with the kind (`game-server`) is not suffixed twice.
 */
export function resolveTarget(tree: Tree, options: GeneratorOptions, kind: Target['kind']): Target {
  if (options.language !== undefined && !['ts', 'typescript'].includes(options.language.toLowerCase())) {
    throw new SchematicsException(
      `nestjs-genserver generates TypeScript only, and this project's language is "${options.language}". ` +
        'Generate into a TypeScript Nest project (nest-cli.json "language": "ts").',
    );
  }
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new SchematicsException(
      `Give the ${kind} a name, e.g. nest g -c nestjs-genserver ${kind === 'server' ? 'genserver' : kind} billing`,
    );
  }
  const location = new NameParser().parse({ name: options.name, path: options.path ?? '' });
  const name = stripKind(normalizeToKebabOrSnakeCase(location.name), kind);
  if (name === '')
    throw new SchematicsException(`"${options.name}" leaves no name once "-${kind}" is removed`);
  const sourceRoot = options.sourceRoot ?? defaultSourceRoot(tree);
  const inSourceRoot = join(normalize(sourceRoot), normalizeToKebabOrSnakeCase(location.path));
  const directory = options.flat === true ? inSourceRoot : join(inSourceRoot, name);
  return {
    fileName: name,
    className: `${strings.classify(name)}${strings.classify(kind)}`,
    kind,
    directory,
    spec: options.spec !== false,
    specFileSuffix: normalizeToKebabOrSnakeCase(options.specFileSuffix ?? 'spec'),
    skipImport: options.skipImport === true,
    importExtension: isEsmProject(tree) ? '.js' : '',
  };
}

function stripKind(name: string, kind: string): string {
  for (const separator of ['-', '_', '.']) {
    if (name.endsWith(`${separator}${kind}`)) return name.slice(0, -kind.length - 1);
  }
  return name;
}
