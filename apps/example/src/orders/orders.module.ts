import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { OrderServer } from './order.server.js';
import { OrdersController } from './orders.controller.js';
import { Orders } from './orders.service.js';

/** The order state machine: one `OrderServer` per order, under its dynamic supervisor. */
@Module({
  imports: [GenServerModule.forDynamic(OrderServer)],
  providers: [Orders],
  controllers: [OrdersController],
})
export class OrdersModule {}
