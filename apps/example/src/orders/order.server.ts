import { Logger } from '@nestjs/common';
import { GenServer, HandleCall, Init } from 'nestjs-genserver';
import {
  InvalidTransitionError,
  NEXT,
  type OrderEvent,
  type OrderStatus,
  type Transition,
} from './order-transitions.js';

/** What `GET /orders/:id` shows. */
export interface OrderView {
  readonly id: string;
  readonly status: OrderStatus;
}

/**
 * One order, in its own process: a dynamic child keyed by the order id. An invalid transition is
 * REPLIED as `{ ok: false, error }` (Elixir's `{:reply, {:error, ...}, state}`) and the order keeps its
 * status; throwing would crash it and restart it from `@Init`, with its status lost.
 */
@GenServer({ restart: 'transient' })
export class OrderServer {
  private readonly logger = new Logger(OrderServer.name);
  orderId = '';
  status: OrderStatus = 'pending';

  @Init() open({ orderId }: { orderId: string }): void {
    this.orderId = orderId;
    this.logger.log(`${orderId} opened: pending`);
  }

  @HandleCall() apply(event: OrderEvent): Transition {
    const next = NEXT[this.status][event];
    if (next === undefined) {
      this.logger.warn(`${this.orderId}: refused ${event} (it is ${this.status})`);
      return { ok: false, error: new InvalidTransitionError(this.status, event) };
    }
    this.logger.log(`${this.orderId}: ${this.status} → ${next} (${event})`);
    this.status = next;
    return { ok: true, status: next };
  }

  @HandleCall() view(): OrderView {
    return { id: this.orderId, status: this.status };
  }
}
