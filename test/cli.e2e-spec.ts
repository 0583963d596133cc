import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Nest CLI, end to end, as a user meets it: the library packed as npm would publish it, two
 * fresh Nest 12 apps — ESM with Vitest, as `nest new` writes them, and CommonJS with Jest, Nest's other
 * template — then `nest add nestjs-genserver` and `nest g -c nestjs-genserver …` for every schematic,
 * and the apps compiled, booted and (ESM) tested with their generated specs.
 *
 * Offline: nothing is installed. The apps share a node_modules made of links to this repository's
 * (the CLI, Nest, TypeScript, Vitest, Jest's types), with Nest 12's own @nestjs/schematics and
 * @angular-devkit — the ones @nestjs/cli 12 brings — where a Nest 12 app has them, and the packed
 * library unpacked beside them.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const modules = join(root, 'node_modules');
const cli = join(modules, '@nestjs/cli');
const bin = {
  nest: '', // the workspace's copy of @nestjs/cli: it finds collections from where it is installed
  schematics: join(modules, '@angular-devkit/schematics-cli/bin/schematics.js'),
  tsc: join(modules, 'typescript/bin/tsc'),
  vitest: join(modules, 'vitest/vitest.mjs'),
};

let workspace: string;
let esmApp: string;
let cjsApp: string;

/** Runs a command to its end and resolves with its stdout; rejects with everything it printed when it fails. */
function sh(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' };
    delete env['JEST_WORKER_ID'];
    delete env['NODE_OPTIONS'];
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`));
    });
  });
}

const node = (args: string[], cwd: string) => sh(process.execPath, args, cwd);
const nest = (app: string, ...args: string[]) => node([bin.nest, ...args], app);
const read = (app: string, file: string) => readFileSync(join(app, file), 'utf8');

/** Links every package of this repository's node_modules into `target`, but for `replaced` ones. */
function linkModules(target: string, replaced: Record<string, string>): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry === '.bin' || entry === '.package-lock.json' || entry === 'nestjs-genserver') continue;
    if (entry.startsWith('@')) {
      mkdirSync(join(target, entry));
      for (const pkg of readdirSync(join(modules, entry))) {
        const name = `${entry}/${pkg}`;
        symlinkSync(replaced[name] ?? join(modules, name), join(target, name), 'dir');
      }
    } else {
      symlinkSync(join(modules, entry), join(target, entry), 'dir');
    }
  }
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'nestjs-genserver-cli-'));
  await sh('npm', ['run', 'build'], root);
  const packed = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', workspace], root)) as {
    filename: string;
  }[];
  const nested = join(cli, 'node_modules');
  linkModules(join(workspace, 'node_modules'), {
    '@nestjs/schematics': join(nested, '@nestjs/schematics'),
    '@angular-devkit/core': join(nested, '@angular-devkit/core'),
    '@angular-devkit/schematics': join(nested, '@angular-devkit/schematics'),
  });
  // A copy, not a link: the CLI resolves collections from its own folder, as in an app it is installed in.
  rmSync(join(workspace, 'node_modules/@nestjs/cli'));
  cpSync(cli, join(workspace, 'node_modules/@nestjs/cli'), { recursive: true, verbatimSymlinks: true });
  bin.nest = join(workspace, 'node_modules/@nestjs/cli/bin/nest.js');
  await sh('tar', ['-xzf', join(workspace, packed[0]!.filename), '-C', workspace], workspace);
  await sh('mv', [join(workspace, 'package'), join(workspace, 'node_modules/nestjs-genserver')], workspace);

  await node(
    [bin.nest, 'new', 'esm-app', '--skip-install', '--skip-git', '--package-manager', 'npm'],
    workspace,
  );
  await node(
    [bin.schematics, '@nestjs/schematics:application', '--name=cjs-app', '--directory=cjs-app', '--type=cjs'],
    workspace,
  );
  esmApp = join(workspace, 'esm-app');
  cjsApp = join(workspace, 'cjs-app');
}, 240_000);

afterAll(() => {
  if (workspace !== undefined && process.env['KEEP_CLI_WORKSPACE'] === undefined) {
    rmSync(workspace, { recursive: true, force: true });
  }
});

describe.each([
  ['ESM (nest new)', () => esmApp, '.js'],
  ['CommonJS', () => cjsApp, ''],
])('a fresh Nest 12 app, %s', (_, app, ext) => {
  it('nest add puts the dependency and GenServerModule.forRoot() in the app; a second run changes nothing', async () => {
    await nest(app(), 'add', 'nestjs-genserver', '--skip-install');

    const pkg = JSON.parse(read(app(), 'package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['nestjs-genserver']).toMatch(/^\^\d+\.\d+\.\d+/);
    const module = read(app(), 'src/app.module.ts');
    expect(module).toContain("import { GenServerModule } from 'nestjs-genserver';");
    expect(module).toContain('imports: [GenServerModule.forRoot()],');

    await nest(app(), 'add', 'nestjs-genserver', '--skip-install');
    expect(read(app(), 'src/app.module.ts')).toBe(module);
  }, 60_000);

  it('nest g -c nestjs-genserver writes each schematic and registers it in AppModule', async () => {
    await nest(app(), 'g', '-c', 'nestjs-genserver', 'genserver', 'prices');
    await nest(app(), 'g', '-c', 'nestjs-genserver', 'periodic', 'price-sync');
    await nest(app(), 'g', '-c', 'nestjs-genserver', 'supervisor', 'billing');

    for (const file of [
      'src/prices/prices.server.ts',
      'src/prices/prices.server.spec.ts',
      'src/price-sync/price-sync.server.ts',
      'src/price-sync/price-sync.server.spec.ts',
      'src/billing/billing.supervisor.ts',
      'src/billing/billing.supervisor.spec.ts',
    ]) {
      expect(existsSync(join(app(), file))).toBe(true);
    }
    const module = read(app(), 'src/app.module.ts');
    expect(module).toContain(`import { PricesServer } from './prices/prices.server${ext}';`);
    expect(module).toContain(`import { BillingSupervisor } from './billing/billing.supervisor${ext}';`);
    expect(module).toMatch(/providers: \[AppService, PricesServer, PriceSyncServer, BillingSupervisor\]/);
  }, 60_000);

  it('takes the standard flags: --dry-run writes nothing, --flat --no-spec --skip-import', async () => {
    const module = read(app(), 'src/app.module.ts');

    await nest(app(), 'g', '-c', 'nestjs-genserver', 'genserver', 'draft', '--dry-run');
    expect(existsSync(join(app(), 'src/draft'))).toBe(false);

    await nest(
      app(),
      'g',
      '-c',
      'nestjs-genserver',
      'supervisor',
      'jobs',
      '--flat',
      '--no-spec',
      '--skip-import',
    );
    expect(existsSync(join(app(), 'src/jobs.supervisor.ts'))).toBe(true);
    expect(existsSync(join(app(), 'src/jobs.supervisor.spec.ts'))).toBe(false);
    expect(read(app(), 'src/app.module.ts')).toBe(module);
  }, 60_000);

  it('takes schedule options through the schematics CLI (nest g has no flag for them)', async () => {
    await node([bin.schematics, 'nestjs-genserver:periodic', 'nightly', '--cron=0 3 * * *'], app());

    expect(read(app(), 'src/nightly/nightly.server.ts')).toContain("@Periodic({ cron: '0 3 * * *' })");
    expect(read(app(), 'src/app.module.ts')).toContain('NightlyServer]');
  }, 60_000);

  it("as the project's default collection, serves its generators and Nest's own without -c", async () => {
    const config = JSON.parse(read(app(), 'nest-cli.json')) as Record<string, unknown>;
    writeFileSync(
      join(app(), 'nest-cli.json'),
      JSON.stringify({ ...config, collection: 'nestjs-genserver' }),
    );

    await nest(app(), 'g', 'genserver', 'orders');
    await nest(app(), 'g', 'service', 'users');

    expect(read(app(), 'src/orders/orders.server.ts')).toContain('export class OrdersServer {');
    expect(read(app(), 'src/users/users.service.ts')).toContain('export class UsersService {');
    expect(read(app(), 'src/app.module.ts')).toContain('OrdersServer');
  }, 60_000);

  it('compiles with its generated code, and boots with every generated server running', async () => {
    await node([bin.tsc, '-p', 'tsconfig.json', '--noEmit'], app());
    await nest(app(), 'build');

    const main = existsSync(join(app(), 'dist/main.js')) ? 'dist/main.js' : 'dist/src/main.js';
    const boot = join(app(), `boot${ext === '.js' ? '.mjs' : '.cjs'}`);
    writeFileSync(boot, bootScript(main.replace('main.js', 'app.module.js'), ext === '.js'));
    const printed = await node([boot], app());

    expect(JSON.parse(printed.trim().split('\n').pop()!)).toEqual(
      expect.arrayContaining([
        'PricesServer running',
        'PriceSyncServer running',
        'BillingSupervisor running',
        'NightlyServer running',
        'OrdersServer running',
      ]),
    );
  }, 120_000);
});

it('the ESM app passes its generated specs under Vitest, as `npm test` runs them', async () => {
  const output = await node([bin.vitest, 'run'], esmApp);

  expect(output).toMatch(/prices\.server\.spec\.ts \(3 tests\)/);
  expect(output).toMatch(/price-sync\.server\.spec\.ts \(1 test\)/);
  expect(output).toMatch(/billing\.supervisor\.spec\.ts \(1 test\)/);
  expect(output).toMatch(/Tests\s+\d+ passed/);
  expect(output).not.toMatch(/failed/);
}, 120_000);

/** A script that boots the compiled AppModule, prints `<name> <status>` of the tree's top level, closes. */
function bootScript(appModule: string, esm: boolean): string {
  const load = esm
    ? `const { NestFactory } = await import('@nestjs/core');\nconst { GenServerRuntime } = await import('nestjs-genserver');\nconst { AppModule } = await import('./${appModule}');`
    : `const { NestFactory } = require('@nestjs/core');\nconst { GenServerRuntime } = require('nestjs-genserver');\nconst { AppModule } = require('./${appModule}');`;
  const body = `${load}
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const tree = app.get(GenServerRuntime).snapshot().root.children.map((child) => child.name + ' ' + child.status);
await app.close();
console.log(JSON.stringify(tree));`;
  return esm ? body : `(async () => {\n${body}\n})();\n`;
}
