import { nestAppTree, runner } from './testing/nest-app-tree.js';

describe('the collection', () => {
  it("extends Nest's own, so it can be a project's default collection", async () => {
    expect(runner.engine.createCollection('nestjs-genserver').listSchematicNames()).toEqual(
      expect.arrayContaining(['genserver', 'periodic', 'supervisor', 'service', 'module', 'controller']),
    );

    const tree = await runner.runSchematic('service', { name: 'users' }, await nestAppTree());

    expect(tree.readText('src/users/users.service.ts')).toContain('export class UsersService');
  });
});
