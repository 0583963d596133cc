import { nestAppTree, run } from '../testing/nest-app-tree.js';

describe('genserver schematic', () => {
  it('creates a GenServer with an @Init, calls and a cast, in a folder of its own', async () => {
    const tree = await run('genserver', { name: 'prices' }, await nestAppTree());

    const server = tree.readText('src/prices/prices.server.ts');
    expect(server).toContain("import { GenServer, HandleCall, HandleCast, Init } from 'nestjs-genserver';");
    expect(server).toMatch(/@GenServer\(\)\nexport class PricesServer \{/);
    expect(server).toMatch(/@Init\(\)\n\s+init\(\): void/);
    expect(server).toMatch(/@HandleCall\(\)\n\s+increment\(by = 1\): number/);
    expect(server).toMatch(/@HandleCast\(\)\n\s+reset\(\): void/);
  });

  it('writes a spec on the testing kit that calls, casts and crashes the server', async () => {
    const tree = await run('genserver', { name: 'prices' }, await nestAppTree());

    const spec = tree.readText('src/prices/prices.server.spec.ts');
    expect(spec).toContain("import { PricesServer } from './prices.server';");
    expect(spec).toContain("from 'nestjs-genserver/testing';");
    expect(spec).toContain('imports: [GenServerModule.forRoot()],');
    expect(spec).toContain("server.cast('reset');");
    expect(spec).toContain('await harness.crash(PricesServer');
    expect(spec).toContain('afterEach(() => harness.close());');
  });

  it("registers the class in the app module's providers", async () => {
    const tree = await run('genserver', { name: 'prices' }, await nestAppTree());

    const module = tree.readText('src/app.module.ts');
    expect(module).toContain("import { PricesServer } from './prices/prices.server';");
    expect(module).toContain('providers: [AppService, PricesServer],');
  });

  it('adds .js to relative imports in an ESM project (Nest 12)', async () => {
    const tree = await run('genserver', { name: 'prices' }, await nestAppTree({ esm: true }));

    expect(tree.readText('src/app.module.ts')).toContain(
      "import { PricesServer } from './prices/prices.server.js';",
    );
    expect(tree.readText('src/prices/prices.server.spec.ts')).toContain(
      "import { PricesServer } from './prices.server.js';",
    );
  });

  it('registers the class in the nearest module, not the root one', async () => {
    const app = await nestAppTree();
    app.create(
      'src/billing/billing.module.ts',
      "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class BillingModule {}\n",
    );

    const tree = await run('genserver', { name: 'billing/invoices' }, app);

    expect(tree.exists('src/billing/invoices/invoices.server.ts')).toBe(true);
    const billing = tree.readText('src/billing/billing.module.ts');
    expect(billing).toContain("import { InvoicesServer } from './invoices/invoices.server';");
    expect(billing).toMatch(/providers: \[\s*InvoicesServer\s*\]/);
    expect(tree.readText('src/app.module.ts')).not.toContain('InvoicesServer');
  });

  it('--flat writes into the folder itself; --path places it under the source root', async () => {
    const flat = await run('genserver', { name: 'prices', flat: true }, await nestAppTree());
    expect(flat.exists('src/prices.server.ts')).toBe(true);
    expect(flat.readText('src/app.module.ts')).toContain("import { PricesServer } from './prices.server';");

    const placed = await run('genserver', { name: 'prices', path: 'market' }, await nestAppTree());
    expect(placed.exists('src/market/prices/prices.server.ts')).toBe(true);
    expect(placed.readText('src/app.module.ts')).toContain(
      "import { PricesServer } from './market/prices/prices.server';",
    );
  });

  it('--no-spec leaves the spec out; --spec-file-suffix renames it', async () => {
    const noSpec = await run('genserver', { name: 'prices', spec: false }, await nestAppTree());
    expect(noSpec.files.filter((file) => file.startsWith('/src/prices/'))).toEqual([
      '/src/prices/prices.server.ts',
    ]);

    const suffixed = await run('genserver', { name: 'prices', specFileSuffix: 'test' }, await nestAppTree());
    expect(suffixed.exists('src/prices/prices.server.test.ts')).toBe(true);
  });

  it("--format runs Prettier over what it writes, with the project's config", async () => {
    const app = await nestAppTree();
    app.overwrite('.prettierrc', JSON.stringify({ singleQuote: false, semi: false }));

    const tree = await run('genserver', { name: 'prices', format: true }, app);

    expect(tree.readText('src/prices/prices.server.ts')).toContain('from "nestjs-genserver"\n');
    expect(tree.readText('src/prices/prices.server.spec.ts')).toContain(
      'import { Test } from "@nestjs/testing"\n',
    );
    expect(tree.readText('src/app.module.ts')).toContain(
      'import { PricesServer } from "./prices/prices.server"\n',
    );
  });

  it('--skip-import leaves every module as it was', async () => {
    const app = await nestAppTree();
    const before = app.readText('src/app.module.ts');

    const tree = await run('genserver', { name: 'prices', skipImport: true }, app);

    expect(tree.exists('src/prices/prices.server.ts')).toBe(true);
    expect(tree.readText('src/app.module.ts')).toBe(before);
  });

  it('does not suffix a name that already ends with "server"', async () => {
    const tree = await run('genserver', { name: 'GameServer' }, await nestAppTree());

    expect(tree.readText('src/game/game.server.ts')).toContain('export class GameServer {');
  });

  it("uses nest-cli.json's sourceRoot when the CLI passes none", async () => {
    const app = await nestAppTree();
    app.overwrite('nest-cli.json', JSON.stringify({ sourceRoot: 'apps/api/src' }));
    app.create(
      'apps/api/src/api.module.ts',
      "import { Module } from '@nestjs/common';\n\n@Module({ providers: [] })\nexport class ApiModule {}\n",
    );

    const tree = await run('genserver', { name: 'prices' }, app);

    expect(tree.exists('apps/api/src/prices/prices.server.ts')).toBe(true);
    expect(tree.readText('apps/api/src/api.module.ts')).toContain('providers: [PricesServer]');
  });

  it('changes nothing when run again with the same options', async () => {
    const once = await run('genserver', { name: 'prices' }, await nestAppTree());
    const files = new Map(once.files.map((file) => [file, once.readText(file)]));

    const twice = await run('genserver', { name: 'prices' }, once);

    expect(new Map(twice.files.map((file) => [file, twice.readText(file)]))).toEqual(files);
  });

  it('refuses to overwrite a server that was edited since, and writes nothing', async () => {
    const tree = await run('genserver', { name: 'prices' }, await nestAppTree());
    tree.overwrite('src/prices/prices.server.ts', '// edited\n');
    const module = tree.readText('src/app.module.ts');

    await expect(run('genserver', { name: 'prices' }, tree)).rejects.toThrow(/already exists/);
    expect(tree.readText('src/prices/prices.server.ts')).toBe('// edited\n');
    expect(tree.readText('src/app.module.ts')).toBe(module);
  });

  it('refuses a JavaScript project and an empty name, saying what to do', async () => {
    await expect(run('genserver', { name: 'prices', language: 'js' }, await nestAppTree())).rejects.toThrow(
      /TypeScript only, and this project's language is "js"/,
    );
    await expect(run('genserver', { name: ' ' }, await nestAppTree())).rejects.toThrow(
      /Give the server a name, e.g. nest g -c nestjs-genserver genserver billing/,
    );
  });
});
