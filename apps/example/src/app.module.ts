import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GenServerModule } from 'nestjs-genserver';
import { AccountsModule } from './accounts/accounts.module.js';
import { CacheModule } from './cache/cache.module.js';
import { CounterModule } from './counter/counter.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DebugController } from './debug.controller.js';
import { GamesModule } from './games/games.module.js';
import { GenServerErrorsFilter } from './genserver-errors.filter.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { PricesModule } from './prices/prices.module.js';
import { TreeController } from './tree.controller.js';
import { WarmerModule } from './warmer/warmer.module.js';

/** The showcase: one module per scenario of the reading, the live tree, and a way to crash any server. */
@Module({
  imports: [
    GenServerModule.forRoot(),
    PricesModule,
    GamesModule,
    CacheModule,
    AccountsModule,
    DatabaseModule,
    OrdersModule,
    WarmerModule,
    MetricsModule,
    CounterModule,
  ],
  controllers: [TreeController, DebugController],
  providers: [{ provide: APP_FILTER, useClass: GenServerErrorsFilter }],
})
export class AppModule {}
