import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { type DynamicSupervisorRef, InjectDynamicSupervisor } from 'nestjs-genserver';
import { OrderServer, type OrderView } from './order.server.js';
import type { OrderEvent, OrderStatus } from './order-transitions.js';

/** Opens orders, one process each, and turns their replies into results or HTTP exceptions. */
@Injectable()
export class Orders {
  private opened = 0;

  constructor(
    @InjectDynamicSupervisor(OrderServer)
    private readonly orders: DynamicSupervisorRef<OrderServer, { orderId: string }>,
  ) {}

  /** Opens an order under `orderId`, or the next free `order-<n>`. A taken id rejects with `ALREADY_STARTED`. */
  async open(orderId?: string): Promise<string> {
    const id = orderId ?? this.freeId();
    await this.orders.startChild({ orderId: id }, { key: id });
    return id;
  }

  /**
   * Resolves with the new status. The order's `InvalidTransitionError` comes back as a value and is
   * thrown here, in the caller, as a 409 that names it.
   */
  async apply(orderId: string, event: OrderEvent): Promise<OrderStatus> {
    const result = await this.order(orderId).call('apply', event);
    if (!result.ok) {
      const { code, message, from } = result.error;
      throw new ConflictException({ statusCode: 409, error: code, message, from, event });
    }
    return result.status;
  }

  /** The order's id and status. */
  get(orderId: string): Promise<OrderView> {
    return this.order(orderId).call('view');
  }

  /** Every open order, in the order they were opened. */
  list(): Promise<OrderView[]> {
    return Promise.all(this.orders.whichChildren().map(({ key }) => this.get(key as string)));
  }

  private order(orderId: string) {
    const order = this.orders.lookup(orderId);
    if (order === undefined) throw new NotFoundException(`no order ${orderId}`);
    return order;
  }

  private freeId(): string {
    let id: string;
    do id = `order-${++this.opened}`;
    while (this.orders.lookup(id) !== undefined);
    return id;
  }
}
