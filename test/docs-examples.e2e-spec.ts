import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GENSERVER_MODULE_OPTIONS,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  Init,
  ManualClock,
  Supervised,
  Terminate,
  type ChildInfo,
} from 'nestjs-genserver';

/** The tree of docs/supervision.md, "Declaring a tree with @Supervised", and what the text says it does. */
describe('docs/supervision.md', () => {
  const log: string[] = [];

  abstract class Part {
    @Init() start(): void {
      log.push(`start ${this.constructor.name}`);
    }
    @Terminate() stop(): void {
      log.push(`stop ${this.constructor.name}`);
    }
    @HandleCall() crash(): never {
      throw new Error('lost connection');
    }
  }
  @GenServer()
  class DbConnection extends Part {}
  @GenServer()
  class DbMigrator extends Part {}
  @GenServer()
  class Cache extends Part {}
  @GenServer()
  class CacheWarmer extends Part {}
  @GenServer()
  class Counter extends Part {}

  // From here to AppModule: the guide's code, verbatim (but for the import line).
  @Supervised({ strategy: 'one_for_all', children: [DbConnection, DbMigrator] })
  class DbSupervisor {}

  @Supervised({
    strategy: 'rest_for_one', // the cache depends on the DB: a DB failure restarts what comes after it
    maxRestarts: 3,
    withinMs: 5000,
    children: [DbSupervisor, Cache, { child: CacheWarmer, restart: 'transient', shutdownTimeout: 1000 }],
  })
  class AppSupervisor {}

  @Module({
    imports: [GenServerModule.forRoot()],
    providers: [DbConnection, DbMigrator, Cache, CacheWarmer, DbSupervisor, AppSupervisor, Counter],
  })
  class AppModule {}

  it('Declaring a tree with @Supervised: order, shape and escalation', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const app = await (
      await Test.createTestingModule({ imports: [AppModule] })
        .overrideProvider(GENSERVER_MODULE_OPTIONS)
        .useValue({ clock: new ManualClock() })
        .compile()
    ).init();
    const runtime = app.get(GenServerRuntime);
    const order = ['DbConnection', 'DbMigrator', 'Cache', 'CacheWarmer', 'Counter'];
    expect(log).toEqual(order.map((name) => `start ${name}`));
    const shape = (node: ChildInfo): unknown =>
      node.type === 'server' || node.type === 'task-supervisor'
        ? node.name
        : { [node.name]: node.children.map(shape) };
    expect(shape(runtime.snapshot().root)).toEqual({
      root: [
        { AppSupervisor: [{ DbSupervisor: ['DbConnection', 'DbMigrator'] }, 'Cache', 'CacheWarmer'] },
        'Counter',
        'tasks',
      ],
    });

    // Three crashes: DbSupervisor restarts both DB servers (one_for_all). The fourth within 5 s: it gives
    // up, and AppSupervisor (rest_for_one) restarts it and the children after it; Counter is untouched.
    const servers = [DbConnection, DbMigrator, Cache, CacheWarmer, Counter];
    const settled = async (expected: number[]): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const infos = servers.map((server) => runtime.ref(server).info());
        if (infos.every((info, j) => info.status === 'running' && info.incarnation === expected[j])) return;
        await new Promise(setImmediate);
      }
      throw new Error(`incarnations are not ${expected.join()}`);
    };
    for (let crash = 1; crash <= 3; crash++) {
      await runtime
        .ref(DbConnection)
        .call('crash')
        .catch(() => undefined);
      await settled([crash + 1, crash + 1, 1, 1, 1]);
    }
    await runtime
      .ref(DbConnection)
      .call('crash')
      .catch(() => undefined);
    await settled([5, 5, 2, 2, 1]);
    expect(runtime.healthy).toBe(true);

    log.length = 0;
    await app.close();
    expect(log).toEqual([...order].reverse().map((name) => `stop ${name}`));
    jest.restoreAllMocks();
  });
});
