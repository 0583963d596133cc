/** Where an order is. */
export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled';

/** What can happen to an order. */
export type OrderEvent = 'pay' | 'ship' | 'deliver' | 'cancel';

/** Every event, for checking what arrives over HTTP. */
export const ORDER_EVENTS: readonly OrderEvent[] = ['pay', 'ship', 'deliver', 'cancel'];

/** An event the order's status does not allow: a domain outcome, replied by the server, never thrown there. */
export class InvalidTransitionError extends Error {
  readonly code = 'INVALID_TRANSITION';
  constructor(
    readonly from: OrderStatus,
    readonly event: OrderEvent,
  ) {
    super(`cannot ${event} an order that is ${from}`);
  }
}

/** What `OrderServer.apply` replies: the new status, or the error as a value. */
export type Transition = { ok: true; status: OrderStatus } | { ok: false; error: InvalidTransitionError };

/** The rules as data, apart from the process (the article's `transition/2`): easy to read and test. */
export const NEXT: Record<OrderStatus, Partial<Record<OrderEvent, OrderStatus>>> = {
  pending: { pay: 'paid', cancel: 'cancelled' },
  paid: { ship: 'shipped', cancel: 'cancelled' },
  shipped: { deliver: 'delivered' },
  delivered: {},
  cancelled: {},
};
