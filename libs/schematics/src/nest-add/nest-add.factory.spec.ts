import type { UnitTestTree } from '@angular-devkit/schematics/testing';
import { ownVersion } from '../utils/own-version.js';
import { nestAppTree, run } from '../testing/nest-app-tree.js';

const contents = (tree: UnitTestTree) => new Map(tree.files.map((file) => [file, tree.readText(file)]));

describe('nest-add schematic', () => {
  it('adds the dependency and GenServerModule.forRoot() to the root module', async () => {
    const tree = await run('nest-add', { sourceRoot: 'src' }, await nestAppTree());

    const pkg = JSON.parse(tree.readText('package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['nestjs-genserver']).toBe(`^${ownVersion()}`);
    expect(Object.keys(pkg.dependencies)).toEqual([...Object.keys(pkg.dependencies)].sort());
    const module = tree.readText('src/app.module.ts');
    expect(module).toContain("import { GenServerModule } from 'nestjs-genserver';");
    expect(module).toContain('imports: [GenServerModule.forRoot()],');
  });

  it('changes nothing when run twice', async () => {
    const once = await run('nest-add', {}, await nestAppTree({ esm: true }));
    const files = contents(once);

    const twice = await run('nest-add', {}, once);

    expect(contents(twice)).toEqual(files);
  });

  it('keeps an app that already configures the module as it is', async () => {
    const app = await nestAppTree();
    app.overwrite(
      'src/app.module.ts',
      "import { Module } from '@nestjs/common';\nimport { GenServerModule } from 'nestjs-genserver';\n\n" +
        '@Module({ imports: [GenServerModule.forRootAsync({ useFactory: () => ({}) })] })\nexport class AppModule {}\n',
    );
    const module = app.readText('src/app.module.ts');

    const tree = await run('nest-add', {}, app);

    expect(tree.readText('src/app.module.ts')).toBe(module);
  });

  it('appends to existing imports and reuses an import from the package', async () => {
    const app = await nestAppTree();
    app.overwrite(
      'src/app.module.ts',
      "import { Module } from '@nestjs/common';\nimport { GenServer } from 'nestjs-genserver';\n" +
        "import { ConfigModule } from './config.module';\n\n" +
        '@Module({\n  imports: [ConfigModule],\n})\nexport class AppModule {}\n',
    );

    const module = (await run('nest-add', {}, app)).readText('src/app.module.ts');

    expect(module).toContain("import { GenServer, GenServerModule } from 'nestjs-genserver';");
    expect(module).toContain('imports: [ConfigModule, GenServerModule.forRoot()],');
  });

  it('takes another root module with --module, and only the dependency with --skip-import', async () => {
    const app = await nestAppTree();
    app.create(
      'src/core/core.module.ts',
      "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class CoreModule {}\n",
    );

    const moved = await run('nest-add', { module: 'src/core/core.module.ts' }, app);
    expect(moved.readText('src/core/core.module.ts')).toContain('imports: [GenServerModule.forRoot()]');

    const skipped = await run('nest-add', { skipImport: true }, await nestAppTree());
    expect(skipped.readText('src/app.module.ts')).not.toContain('GenServerModule');
    expect(skipped.readText('package.json')).toContain('"nestjs-genserver"');
  });

  it('says where to point it when there is no root module', async () => {
    const app = await nestAppTree();
    app.delete('src/app.module.ts');

    await expect(run('nest-add', {}, app)).rejects.toThrow(
      /No root module at src\/app.module.ts. Pass the file that holds your root module: nest add nestjs-genserver --module=/,
    );
  });
});
