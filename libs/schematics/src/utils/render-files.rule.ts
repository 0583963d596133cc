import { strings } from '@angular-devkit/core';
import {
  type Rule,
  SchematicsException,
  type Tree,
  apply,
  applyTemplates,
  filter,
  forEach,
  mergeWith,
  move,
  noop,
  url,
} from '@angular-devkit/schematics';
import type { Target } from './target.js';

/**
 * Renders the generator's `files/*.template` into the target folder: `__name__` becomes the file
 * stem and `__specFileSuffix__` the spec suffix; the spec is left out with `spec: false`. The
 * templates see the target and `extra`. A file that exists with other content is not overwritten: the
 * run fails and writes nothing (the same content again is a no-op).
 */
export function renderFiles(target: Target, extra: Record<string, unknown> = {}): Rule {
  return (tree: Tree) =>
    mergeWith(
      apply(url('./files'), [
        target.spec ? noop() : filter((path) => !path.endsWith('.__specFileSuffix__.ts.template')),
        applyTemplates({
          ...strings,
          ...extra,
          name: target.fileName,
          className: target.className,
          specFileSuffix: target.specFileSuffix,
          ext: target.importExtension,
        }),
        move(target.directory),
        forEach((entry) => {
          const existing = tree.read(entry.path);
          if (existing !== null && !existing.equals(entry.content)) {
            throw new SchematicsException(
              `${entry.path.slice(1)} already exists. Pick another name, or delete it to generate it again.`,
            );
          }
          return entry;
        }),
      ]),
    );
}
