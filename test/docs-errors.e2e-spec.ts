import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as library from 'nestjs-genserver';
import { GenServerError } from 'nestjs-genserver';
import { CATALOGUE } from './bad-input-catalogue.js';

/**
 * Keeps docs/errors.md honest: every error class the library exports has its row (with its code), and
 * every entry of the bad-input catalogue its paragraph (with its real message), and the catalogue in
 * the doc lists nothing the tests do not check.
 */
const doc = readFileSync(join(process.cwd(), 'docs/errors.md'), 'utf8');
const errorsDir = join(process.cwd(), 'src/runtime/errors');

/** Class name → code, read from the error classes' sources. */
function declaredCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of readdirSync(errorsDir).filter((name) => name.endsWith('.error.ts'))) {
    const source = readFileSync(join(errorsDir, file), 'utf8');
    for (const match of source.matchAll(/export class (\w+) extends GenServerError \{[^]*?code = '(\w+)'/g)) {
      codes.set(match[1] as string, match[2] as string);
    }
  }
  return codes;
}

describe('docs/errors.md', () => {
  const exported = Object.entries(library)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof GenServerError)
    .map(([name]) => name);

  it('finds the exported error classes', () => {
    expect(exported).toEqual(expect.arrayContaining(['CallTimeoutError', 'InvalidDefinitionError']));
  });

  it.each(exported)('lists %s with its code', (name) => {
    const code = declaredCodes().get(name);
    expect(code).toBeDefined();
    expect(doc).toMatch(new RegExp(`^\\| \`${name}\` +\\| \`${code}\` +\\|`, 'm'));
  });

  it('lists the base class GenServerError', () => {
    expect(doc).toMatch(/^\| `GenServerError` +\|/m);
  });

  it.each(CATALOGUE.map((entry) => [entry.id, entry] as const))(
    'catalogue entry %s is there with its message',
    (id, entry) => {
      expect(doc).toContain(`- **\`${id}\`** — `);
      expect(doc).toContain(entry.message[0]);
    },
  );

  it('lists no catalogue entry the bad-input test does not check', () => {
    const listed = [...doc.matchAll(/^- \*\*`([\w-]+)`\*\* — /gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(CATALOGUE.map((entry) => entry.id).sort());
  });
});
