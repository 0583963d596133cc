import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The version of the nestjs-genserver package this collection ships in (found upwards from here). */
export function ownVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nestjs-genserver' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json at this level: go up
    }
    if (dirname(dir) === dir) throw new Error('nestjs-genserver: cannot find its own package.json');
  }
}
