import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nestAppTree, run } from './nest-app-tree.js';

/**
 * What the generators write, file for file, is in ./expected: there it is type-checked against the
 * library with the rest of the repository (`npm run typecheck`), formatted as a Nest app formats it
 * (Prettier, 80 columns), and quoted by docs/cli.md.
 */
const expected = (file: string) => readFileSync(join(__dirname, 'expected', file), 'utf8');

describe('generated code', () => {
  it.each([
    ['genserver', { name: 'prices' }, 'src/prices/prices.server', 'prices.server'],
    [
      'periodic',
      { name: 'price-sync', every: '1h', mode: 'aligned' },
      'src/price-sync/price-sync.server',
      'price-sync.server',
    ],
    ['supervisor', { name: 'billing' }, 'src/billing/billing.supervisor', 'billing.supervisor'],
  ])('%s %j writes the code of expected/', async (schematic, options, path, fixture) => {
    const tree = await run(schematic, options, await nestAppTree());

    expect(tree.readText(`${path}.ts`)).toBe(expected(`${fixture}.ts`));
    expect(tree.readText(`${path}.spec.ts`)).toBe(expected(`${fixture}.spec.expected.ts`));
  });
});
