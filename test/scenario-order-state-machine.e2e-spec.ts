/**
 * Scenario: "State Machines with GenServer" (GenServer Patterns You Should Know, the `OrderProcessor`)
 * and the forum thread's "state machines modeling things IRL", one process per entity.
 *
 * The example app's `OrdersModule` (apps/example/src/orders/), driven over HTTP. Each order is its own
 * GenServer, a dynamic child keyed by order id. Its status moves pending → paid → shipped → delivered, or
 * to cancelled before shipping. An invalid transition is a domain outcome, not a bug: the server REPLIES
 * `{ ok: false, error }` (Elixir's `{:reply, {:error, {:invalid_transition, from, event}}, state}`) and
 * keeps its state. Throwing from the handler would crash the order (the caller gets
 * `ServerCrashedError`, the order restarts from `@Init` with its status lost): keep throws for the
 * unexpected, and load the status in `@Init` if it must survive one. The `Orders` service turns the
 * error value into a 409 in the caller's own stack.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import type { GenServerHarness } from 'nestjs-genserver/testing';
import { scenarioModule, startScenario } from './scenario-module.js';
import { OrderServer } from '../apps/example/src/orders/order.server.js';
import { InvalidTransitionError } from '../apps/example/src/orders/order-transitions.js';
import { OrdersModule } from '../apps/example/src/orders/orders.module.js';

describe('scenario: an order is a state machine in its own process', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  let log: jest.Spied<Logger['log']>;

  beforeEach(async () => {
    ({ harness, http, log } = await startScenario(scenarioModule(OrdersModule)));
  });
  afterEach(async () => {
    await harness.close();
    jest.restoreAllMocks();
  });

  it('walks pending → paid → shipped → delivered', async () => {
    await http.post('/orders').expect(201, { id: 'order-1', status: 'pending' });
    await http.post('/orders/order-1/pay').expect(200, { id: 'order-1', status: 'paid' });
    await http.post('/orders/order-1/ship').expect(200, { id: 'order-1', status: 'shipped' });
    await http.post('/orders/order-1/deliver').expect(200, { id: 'order-1', status: 'delivered' });

    await http.get('/orders/order-1').expect(200, { id: 'order-1', status: 'delivered' });
    expect(await harness.getState(OrderServer, 'order-1')).toMatchObject({ status: 'delivered' });
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      'order-1 opened: pending',
      'order-1: pending → paid (pay)',
      'order-1: paid → shipped (ship)',
      'order-1: shipped → delivered (deliver)',
    ]);
  });

  it('refuses an invalid transition with a 409, without crashing the order', async () => {
    await http.post('/orders').send({ id: 'order-1' }).expect(201);
    await http.post('/orders/order-1/pay').expect(200);

    const reply = await harness.ref(OrderServer, 'order-1').call('apply', 'deliver');
    expect(reply).toEqual({ ok: false, error: new InvalidTransitionError('paid', 'deliver') });
    await http.post('/orders/order-1/pay').expect(409, {
      statusCode: 409,
      error: 'INVALID_TRANSITION',
      message: 'cannot pay an order that is paid',
      from: 'paid',
      event: 'pay',
    });

    // The process never crashed: same instance, state kept, and the order goes on from where it was.
    expect(harness.events.types(OrderServer, 'order-1')).toEqual(['started']);
    expect(harness.info(OrderServer, 'order-1')).toMatchObject({ restarts: 0, incarnation: 1 });
    await http.post('/orders/order-1/ship').expect(200, { id: 'order-1', status: 'shipped' });
    const late = await http.post('/orders/order-1/cancel').expect(409);
    expect(late.body.message).toBe('cannot cancel an order that is shipped');
  });

  it('cancels before shipping; an unknown event is a 400 that never reaches the order', async () => {
    await http.post('/orders').expect(201, { id: 'order-1', status: 'pending' });
    const refund = await http.post('/orders/order-1/refund').expect(400);
    expect(refund.body.message).toBe("unknown event 'refund': expected one of pay, ship, deliver, cancel");
    expect(harness.info(OrderServer, 'order-1').handled.calls).toBe(0);

    await http.post('/orders/order-1/cancel').expect(200, { id: 'order-1', status: 'cancelled' });
    await http.post('/orders/order-1/pay').expect(409);
  });

  it('keeps one process per order, found by its id', async () => {
    await http.post('/orders').expect(201, { id: 'order-1', status: 'pending' });
    await http.post('/orders').send({ id: 'order-2' }).expect(201);
    await http.post('/orders/order-1/pay').expect(200);
    await http.post('/orders/order-2/cancel').expect(200);

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
    await http.get('/orders').expect(200, [
      { id: 'order-1', status: 'paid' },
      { id: 'order-2', status: 'cancelled' },
    ]);

    await http.post('/orders').expect(201, { id: 'order-3', status: 'pending' }); // order-2 is taken
    const taken = await http.post('/orders').send({ id: 'order-1' }).expect(409);
    expect(taken.body.error).toBe('ALREADY_STARTED');
    await http.post('/orders/order-9/pay').expect(404);
    await http.get('/orders/order-9').expect(404);
  });
});
