import { nestAppTree, run } from '../testing/nest-app-tree.js';
import { periodicDecorator } from './periodic.factory.js';

describe('periodic schematic', () => {
  it('creates a GenServer whose run() is a @Periodic job, registered in the nearest module', async () => {
    const tree = await run('periodic', { name: 'price-sync', every: '1h' }, await nestAppTree());

    const server = tree.readText('src/price-sync/price-sync.server.ts');
    expect(server).toContain('export class PriceSyncServer {');
    expect(server).toMatch(/@Periodic\('1h'\)\n\s+async run\(\): Promise<void>/);
    expect(server).toMatch(/@HandleCall\(\)\n\s+status\(\)/);
    expect(tree.readText('src/app.module.ts')).toContain('providers: [AppService, PriceSyncServer],');
  });

  it('writes a spec that moves the manual clock to the next two ticks', async () => {
    const tree = await run('periodic', { name: 'price-sync', cron: '0 3 * * *' }, await nestAppTree());

    const spec = tree.readText('src/price-sync/price-sync.server.spec.ts');
    expect(spec).toContain("harness.job('PriceSyncServer.run')");
    expect(spec).toContain('await harness.advanceTo(job().nextRunAt!);');
    expect(spec).toContain("import { PriceSyncServer } from './price-sync.server';");
  });

  it.each([
    [{}, "@Periodic('1m')"],
    [{ every: '30s' }, "@Periodic('30s')"],
    [{ every: '1h30m', mode: 'fixed-rate' }, "@Periodic('1h30m')"],
    [{ every: '5000' }, '@Periodic(5000)'],
    [{ every: '30s', mode: 'fixed-delay' }, "@Periodic('30s', { mode: 'fixed-delay' })"],
    [{ every: '1h', mode: 'aligned' }, "@Periodic('1h', { align: true })"],
    [{ cron: '0 3 * * *' }, "@Periodic({ cron: '0 3 * * *' })"],
  ] as const)('%j → %s', (options, decorator) => {
    expect(periodicDecorator(options)).toBe(decorator);
  });

  it.each([
    [{ every: '1h', cron: '0 * * * *' }, /Give --every or --cron, not both/],
    [
      { cron: '0 3 * * *', mode: 'fixed-delay' },
      /--mode fixed-delay applies to --every; .* Drop --mode or use --every/,
    ],
    [{ cron: 'every day' }, /--cron 'every day' is not a valid cron expression: .*Use five fields/],
  ] as const)('refuses %j', (options, message) => {
    expect(() => periodicDecorator(options)).toThrow(message);
  });

  it('refuses a period it cannot read before writing anything', async () => {
    const app = await nestAppTree();

    await expect(run('periodic', { name: 'sync', every: '5 minutes' }, app)).rejects.toThrow(/every/);
    expect(app.exists('src/sync/sync.server.ts')).toBe(false);
  });

  it('takes the standard flags (--flat, --no-spec, --skip-import) and ESM imports', async () => {
    const app = await nestAppTree({ esm: true });
    const module = app.readText('src/app.module.ts');

    const tree = await run('periodic', { name: 'sweeper', flat: true, spec: false, skipImport: true }, app);

    expect(tree.exists('src/sweeper.server.ts')).toBe(true);
    expect(tree.exists('src/sweeper.server.spec.ts')).toBe(false);
    expect(tree.readText('src/app.module.ts')).toBe(module);

    const esm = await run('periodic', { name: 'sweeper' }, await nestAppTree({ esm: true }));
    expect(esm.readText('src/sweeper/sweeper.server.spec.ts')).toContain("from './sweeper.server.js';");
  });
});
