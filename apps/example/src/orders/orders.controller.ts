import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ORDER_EVENTS, type OrderEvent } from './order-transitions.js';
import { Orders } from './orders.service.js';

/** Orders over HTTP: open one, send it events, read it. */
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: Orders) {}

  /** Opens an order; the body may name it (`{ "id": "order-42" }`). */
  @Post()
  async open(@Body() body: { id?: unknown } = {}) {
    const id = body?.id;
    if (id !== undefined && (typeof id !== 'string' || id.length === 0)) {
      throw new BadRequestException('id must be a non-empty string');
    }
    return { id: await this.orders.open(id), status: 'pending' };
  }

  @Get()
  list() {
    return this.orders.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.orders.get(id);
  }

  /** pay, ship, deliver or cancel; anything else is a 400, an event the status refuses a 409. */
  @Post(':id/:event')
  @HttpCode(200)
  async apply(@Param('id') id: string, @Param('event') event: string) {
    if (!ORDER_EVENTS.includes(event as OrderEvent)) {
      throw new BadRequestException(`unknown event '${event}': expected one of ${ORDER_EVENTS.join(', ')}`);
    }
    return { id, status: await this.orders.apply(id, event as OrderEvent) };
  }
}
