import { nestAppTree, run } from '../testing/nest-app-tree.js';

describe('supervisor schematic', () => {
  it('creates a @Supervised class with its spec, registered in the nearest module', async () => {
    const tree = await run('supervisor', { name: 'billing' }, await nestAppTree());

    const supervisor = tree.readText('src/billing/billing.supervisor.ts');
    expect(supervisor).toContain("import { Supervised } from 'nestjs-genserver';");
    expect(supervisor).toMatch(
      /@Supervised\(\{\n\s+strategy: 'one_for_one',[\s\S]*children: \[\],\n\}\)\nexport class BillingSupervisor \{\}/,
    );
    expect(tree.readText('src/billing/billing.supervisor.spec.ts')).toContain(
      "import { BillingSupervisor } from './billing.supervisor';",
    );
    const module = tree.readText('src/app.module.ts');
    expect(module).toContain("import { BillingSupervisor } from './billing/billing.supervisor';");
    expect(module).toContain('providers: [AppService, BillingSupervisor],');
  });

  it('takes a strategy, and its spec checks for it', async () => {
    const tree = await run('supervisor', { name: 'db', strategy: 'rest_for_one' }, await nestAppTree());

    expect(tree.readText('src/db/db.supervisor.ts')).toContain("strategy: 'rest_for_one',");
    expect(tree.readText('src/db/db.supervisor.spec.ts')).toContain("strategy: 'rest_for_one'");
  });

  it('refuses a strategy OTP does not have', async () => {
    await expect(
      run('supervisor', { name: 'db', strategy: 'simple_one_for_one' }, await nestAppTree()),
    ).rejects.toThrow(/strategy/);
  });

  it('does not suffix a name that already ends with "supervisor"; takes the standard flags', async () => {
    const tree = await run(
      'supervisor',
      { name: 'billing-supervisor', flat: true, spec: false, skipImport: true },
      await nestAppTree({ esm: true }),
    );

    expect(tree.readText('src/billing.supervisor.ts')).toContain('export class BillingSupervisor {}');
    expect(tree.exists('src/billing.supervisor.spec.ts')).toBe(false);
    expect(tree.readText('src/app.module.ts')).not.toContain('BillingSupervisor');
  });
});
