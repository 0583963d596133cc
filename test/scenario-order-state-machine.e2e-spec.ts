/**
 * Scenario: "State Machines with GenServer" (GenServer Patterns You Should Know, the `OrderProcessor`)
 * and the forum thread's "state machines modeling things IRL", one process per entity.
 *
 * Each order is its own GenServer, a dynamic child keyed by order id. Its status moves
 * pending → paid → shipped → delivered, or to cancelled before shipping. An invalid transition is a
 * domain outcome, not a bug: the server REPLIES `{ ok: false, error }` (Elixir's
 * `{:reply, {:error, {:invalid_transition, from, event}}, state}`) and keeps its state. Throwing from the
 * handler would crash the order (the caller gets `ServerCrashedError`, the order restarts from `@Init`
 * with its status lost): keep throws for the unexpected, and load the status in `@Init` if it must
 * survive one. The `Orders` service turns the error value into an exception in the caller's own stack,
 * where a Nest exception filter can map it to 409.
 */
import 'reflect-metadata';
import { Injectable, Module, NotFoundException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type DynamicSupervisorRef,
  GenServer,
  GenServerModule,
  HandleCall,
  Init,
  InjectDynamicSupervisor,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled';
type OrderEvent = 'pay' | 'ship' | 'deliver' | 'cancel';

export class InvalidTransitionError extends Error {
  readonly code = 'INVALID_TRANSITION';
  constructor(
    readonly from: OrderStatus,
    readonly event: OrderEvent,
  ) {
    super(`cannot ${event} an order that is ${from}`);
  }
}

export type Transition = { ok: true; status: OrderStatus } | { ok: false; error: InvalidTransitionError };

/** The rules as data, apart from the process (the article's `transition/2`): easy to read and test. */
const NEXT: Record<OrderStatus, Partial<Record<OrderEvent, OrderStatus>>> = {
  pending: { pay: 'paid', cancel: 'cancelled' },
  paid: { ship: 'shipped', cancel: 'cancelled' },
  shipped: { deliver: 'delivered' },
  delivered: {},
  cancelled: {},
};

@GenServer({ restart: 'transient' })
export class OrderServer {
  orderId = '';
  status: OrderStatus = 'pending';

  @Init() open({ orderId }: { orderId: string }): void {
    this.orderId = orderId;
  }

  @HandleCall() apply(event: OrderEvent): Transition {
    const next = NEXT[this.status][event];
    if (next === undefined) return { ok: false, error: new InvalidTransitionError(this.status, event) };
    this.status = next;
    return { ok: true, status: next };
  }
}

@Injectable()
export class Orders {
  constructor(
    @InjectDynamicSupervisor(OrderServer)
    private readonly orders: DynamicSupervisorRef<OrderServer, { orderId: string }>,
  ) {}

  async open(orderId: string): Promise<void> {
    await this.orders.startChild({ orderId }, { key: orderId });
  }

  /** Resolves with the new status, or throws the order's InvalidTransitionError here, in the caller. */
  async apply(orderId: string, event: OrderEvent): Promise<OrderStatus> {
    const order = this.orders.lookup(orderId);
    if (order === undefined) throw new NotFoundException(`no order ${orderId}`);
    const result = await order.call('apply', event);
    if (!result.ok) throw result.error;
    return result.status;
  }
}

@Module({ imports: [GenServerModule.forDynamic(OrderServer)], providers: [Orders] })
class OrdersModule {}

describe('scenario: an order is a state machine in its own process', () => {
  let harness: GenServerHarness;
  let orders: Orders;

  beforeEach(async () => {
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot(), OrdersModule] }),
    );
    orders = harness.app.get(Orders);
  });
  afterEach(() => harness.close());

  it('walks pending → paid → shipped → delivered', async () => {
    await orders.open('order-1');
    expect(await orders.apply('order-1', 'pay')).toBe('paid');
    expect(await orders.apply('order-1', 'ship')).toBe('shipped');
    expect(await orders.apply('order-1', 'deliver')).toBe('delivered');
    expect(await harness.getState(OrderServer, 'order-1')).toMatchObject({ status: 'delivered' });
  });

  it('refuses an invalid transition with a typed error, without crashing the order', async () => {
    await orders.open('order-1');
    await orders.apply('order-1', 'pay');

    const reply = await harness.ref(OrderServer, 'order-1').call('apply', 'deliver');
    expect(reply).toEqual({ ok: false, error: new InvalidTransitionError('paid', 'deliver') });
    await expect(orders.apply('order-1', 'pay')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      from: 'paid',
      event: 'pay',
    });

    // The process never crashed: same instance, state kept, and the order goes on from where it was.
    expect(harness.events.types(OrderServer, 'order-1')).toEqual(['started']);
    expect(harness.info(OrderServer, 'order-1')).toMatchObject({ restarts: 0, incarnation: 1 });
    expect(await orders.apply('order-1', 'ship')).toBe('shipped');
    await expect(orders.apply('order-1', 'cancel')).rejects.toThrow('cannot cancel an order that is shipped');
  });

  it('keeps one process per order, found by its id', async () => {
    await orders.open('order-1');
    await orders.open('order-2');
    await orders.apply('order-1', 'pay');
    await orders.apply('order-2', 'cancel');

    expect(await harness.getState(OrderServer, 'order-1')).toMatchObject({
      orderId: 'order-1',
      status: 'paid',
    });
    expect(await harness.getState(OrderServer, 'order-2')).toMatchObject({
      orderId: 'order-2',
      status: 'cancelled',
    });
    expect(
      harness.runtime
        .dynamicRef(OrderServer)
        ?.whichChildren()
        .map((c) => c.key),
    ).toEqual(['order-1', 'order-2']);
    await expect(orders.apply('order-3', 'pay')).rejects.toBeInstanceOf(NotFoundException);
  });
});
