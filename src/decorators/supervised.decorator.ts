import { Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import { SUPERVISED_METADATA } from '../genserver.constants.js';
import type { SupervisedOptions } from '../interfaces/supervised-options.interface.js';

/**
 * Makes a provider a supervisor (OTP `Supervisor.init(children, strategy: ...)`): at bootstrap it starts
 * its `children` — GenServers and other `@Supervised` classes — in list order, restarts the ones that
 * exit per its `strategy` and their restart types, gives up after `maxRestarts` within `withinMs` and
 * escalates to its own supervisor, and stops them in reverse order on `app.close()`. The class itself
 * stays empty; add it to a module's `providers`. GenServers and supervisors that no `@Supervised` lists
 * run under the root supervisor (configured by `GenServerModule.forRoot`).
 *
 * @example
 * @Supervised({ strategy: 'one_for_all', children: [DbConnection, DbMigrator] })
 * export class DbSupervisor {}
 *
 * @Supervised({
 *   strategy: 'rest_for_one', // a DB crash restarts the cache and sweeper too; a cache crash, only those two
 *   maxRestarts: 3,
 *   withinMs: 5000,
 *   children: [DbSupervisor, Cache, { child: CacheSweeper, restart: 'transient' }],
 * })
 * export class AppSupervisor {}
 *
 * @Module({ providers: [DbConnection, DbMigrator, Cache, CacheSweeper, DbSupervisor, AppSupervisor] })
 * export class StorageModule {}
 */
export function Supervised(options: SupervisedOptions): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(SUPERVISED_METADATA, options));
}
