import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GenServerModule } from 'nestjs-genserver';
import { CounterModule } from './counter/counter.module.js';
import { DebugController } from './debug.controller.js';
import { GenServerErrorsFilter } from './genserver-errors.filter.js';
import { PricesModule } from './prices/prices.module.js';
import { TreeController } from './tree.controller.js';

@Module({
  imports: [GenServerModule.forRoot(), CounterModule, PricesModule],
  controllers: [TreeController, DebugController],
  providers: [{ provide: APP_FILTER, useClass: GenServerErrorsFilter }],
})
export class AppModule {}
