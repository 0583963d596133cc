import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { CounterStore } from './counter-store.js';
import { CounterController } from './counter.controller.js';
import { CounterServer } from './counter.server.js';

@Module({
  imports: [GenServerModule.forFeature([CounterServer])],
  providers: [CounterStore, CounterServer],
  controllers: [CounterController],
})
export class CounterModule {}
