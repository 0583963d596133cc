// Copies what tsc does not emit into dist/schematics: the collection, the option schemas, the file
// templates, and the package.json that makes the compiled factories CommonJS (the Nest CLI of Nest 11
// require()s them; Nest 12's loads them either way).
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'src');
const target = join(here, '..', '..', 'dist', 'schematics');

function copy(from) {
  const to = join(target, relative(source, from));
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}

function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'files' && statSync(path).isDirectory()) copy(path);
    else if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.json')) copy(path);
  }
}

walk(source);
cpSync(join(here, 'package.json'), join(target, 'package.json'));
