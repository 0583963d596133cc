/**
 * Bounded mailboxes in a Nest app on the testing kit's manual clock (docs/genservers.md, "Bounded
 * mailboxes and backpressure"): a slow consumer, producers faster than it, and what each policy does.
 */
import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type DynamicSupervisorRef,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  HandleInfo,
  InjectDynamicSupervisor,
  InvalidDefinitionError,
  MailboxFullError,
  type ServerRef,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

/** A store that takes 10 ms per write on the app's clock: slower than the producers below. */
@Injectable()
class Warehouse {
  readonly rows: string[] = [];
  constructor(private readonly runtime: GenServerRuntime) {}

  write(row: string): Promise<void> {
    return new Promise((resolve) => {
      this.runtime.clock.setTimer(() => {
        this.rows.push(row);
        resolve();
      }, 10);
    });
  }
}

@GenServer({ mailbox: { capacity: 100, overflow: 'drop-oldest' } })
export class MetricsBuffer {
  constructor(private readonly warehouse: Warehouse) {}

  @HandleCast()
  async record(sample: string): Promise<void> {
    await this.warehouse.write(sample); // 10 ms a sample: slower than a busy producer
  }
}

@GenServer({ mailbox: { capacity: 100 } }) // overflow: 'reject' is the default
export class OrderIntake {
  constructor(private readonly warehouse: Warehouse) {}

  @HandleCall()
  async place(order: string): Promise<string> {
    await this.warehouse.write(order);
    return `accepted ${order}`;
  }

  @HandleCast()
  async placeLater(order: string): Promise<void> {
    await this.warehouse.write(order);
  }
}

@Module({ imports: [GenServerModule.forRoot()], providers: [Warehouse, MetricsBuffer, OrderIntake] })
class IngestModule {}

describe('bounded mailboxes (e2e)', () => {
  let harness: GenServerHarness;
  let metrics: ServerRef<MetricsBuffer>;
  let intake: ServerRef<OrderIntake>;
  let warehouse: Warehouse;

  beforeEach(async () => {
    harness = await GenServerTesting.start(Test.createTestingModule({ imports: [IngestModule] }));
    metrics = harness.ref(MetricsBuffer);
    intake = harness.ref(OrderIntake);
    warehouse = harness.app.get(Warehouse);
  });
  afterEach(() => harness.close());

  it('drop-oldest: a flood of casts keeps the newest 100, counts the rest and reports them without a flood of its own', async () => {
    for (let i = 0; i < 1000; i++) metrics.cast('record', `sample ${i}`); // never blocks, never throws
    expect(metrics.info().mailbox).toEqual({
      capacity: 100,
      overflow: 'drop-oldest',
      refused: 0,
      dropped: 900,
    });
    await harness.advanceBy('1s'); // the warehouse catches up: 10 ms a sample
    expect(warehouse.rows).toEqual(Array.from({ length: 100 }, (_, i) => `sample ${900 + i}`));

    const reports = harness.events.of(MetricsBuffer).filter((e) => e.type === 'mailbox_full');
    expect(reports.map((e) => e.mailbox?.dropped)).toEqual([1, 899]); // the first at once, the rest a second later
    expect(reports[0]).toMatchObject({ name: 'MetricsBuffer', at: harness.now() - 1000 });
  });

  it('reject: a call to a full mailbox rejects at once; a refused cast returns false', async () => {
    const orders = Array.from({ length: 101 }, (_, i) => intake.call('place', `order ${i}`));
    expect(intake.cast('placeLater', 'order 101')).toBe(false); // refused, counted, reported: never lost silently
    await expect(orders[100]).rejects.toThrow(MailboxFullError); // at once: it never entered the mailbox
    await harness.advanceBy('1s'); // the warehouse catches up: 10 ms an order
    await expect(Promise.all(orders.slice(0, 100))).resolves.toHaveLength(100);

    expect(intake.info().mailbox).toEqual({ capacity: 100, overflow: 'reject', refused: 2, dropped: 0 });
    expect(warehouse.rows).toHaveLength(100);
    expect(harness.events.types(OrderIntake)).toEqual(['started', 'mailbox_full', 'mailbox_full']);
    const error = await orders[100].catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MAILBOX_FULL', server: 'OrderIntake', capacity: 100 });
  });

  it('a producer that awaits each call goes at the server’s pace and never meets the bound', async () => {
    const producer = (async () => {
      for (let i = 0; i < 300; i++) await intake.call('place', `order ${i}`); // natural backpressure
    })();
    await harness.advanceBy('3s');
    await producer;
    expect(warehouse.rows).toHaveLength(300);
    expect(intake.info().mailbox).toMatchObject({ refused: 0, dropped: 0 });
  });

  it('once the server catches up, the mailbox takes messages again', async () => {
    for (let i = 0; i < 150; i++) intake.cast('placeLater', `order ${i}`);
    expect(intake.info().mailbox?.refused).toBe(50);
    await harness.advanceBy('1s');
    expect(intake.cast('placeLater', 'order 150')).toBe(true);
    await harness.advanceBy('10ms');
    expect(warehouse.rows).toHaveLength(101);
  });
});

/** One buffer per device, started on demand: each dynamic child gets the class's bound. */
@GenServer({ mailbox: { capacity: 2 } })
class DeviceBuffer {
  constructor(private readonly warehouse: Warehouse) {}

  @HandleCast()
  async reading(value: string): Promise<void> {
    await this.warehouse.write(value);
  }
}

@Injectable()
class Devices {
  constructor(@InjectDynamicSupervisor(DeviceBuffer) readonly buffers: DynamicSupervisorRef<DeviceBuffer>) {}
}

@Module({
  imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(DeviceBuffer)],
  providers: [Warehouse, Devices],
})
class DevicesModule {}

describe('bounded mailboxes of dynamic children (e2e)', () => {
  it('each child has its own bound and counters, and its events carry its key', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [DevicesModule] }));
    const { buffers } = harness.app.get(Devices);
    const a = await buffers.startChild(undefined, { key: 'a' });
    const b = await buffers.startChild(undefined, { key: 'b' });
    expect(['1', '2', '3'].map((v) => a.cast('reading', v))).toEqual([true, true, false]);
    expect(b.cast('reading', '1')).toBe(true);
    expect(a.info().mailbox).toMatchObject({ capacity: 2, refused: 1 });
    expect(b.info().mailbox).toMatchObject({ capacity: 2, refused: 0 });
    expect(harness.events.all.filter((e) => e.type === 'mailbox_full')).toEqual([
      expect.objectContaining({
        name: 'DeviceBuffer',
        key: 'a',
        mailbox: expect.objectContaining({ refused: 1 }),
      }),
    ]);
    await harness.advanceBy('100ms');
    await harness.close();
  });
});

@GenServer({ mailbox: { capacity: 1 } })
class Inbox {
  seen: unknown[] = [];

  @HandleInfo()
  receive(message: unknown): void {
    this.seen.push(message);
  }
}

describe('bounded mailboxes and the testing kit', () => {
  it('ref.send returns false when refused, and so does harness.send once the app is idle', async () => {
    const harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [GenServerModule.forRoot()], providers: [Inbox] }),
    );
    const inbox = harness.ref(Inbox);
    expect(inbox.send('a')).toBe(true);
    expect(inbox.send('b')).toBe(false); // 'a' still waits: nothing runs before this test yields
    await expect(harness.send(Inbox, 'c')).resolves.toBe(false);
    await expect(harness.send(Inbox, 'd')).resolves.toBe(true);
    expect((await harness.getState(Inbox)).seen).toEqual(['a', 'd']);
    await harness.close();
  });
});

describe('bounded mailboxes: bad options fail bootstrap', () => {
  async function bootstrapError(server: Type<object>, dynamic = false): Promise<unknown> {
    const module = Test.createTestingModule({
      imports: [GenServerModule.forRoot(), ...(dynamic ? [GenServerModule.forDynamic(server)] : [])],
      providers: dynamic ? [] : [server],
    });
    return GenServerTesting.start(module).then(
      (harness) => harness.close().then(() => undefined),
      (error: unknown) => error,
    );
  }

  it('a capacity that is not a positive integer names the server, the value and the fix', async () => {
    @GenServer({ mailbox: { capacity: 0 } })
    class ZeroBuffer {
      @HandleCast() note(): void {}
    }
    const error = await bootstrapError(ZeroBuffer);
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect((error as Error).message).toBe(
      '@GenServer() options of ZeroBuffer are invalid: mailbox.capacity must be a positive ' +
        'integer (how many messages may wait), got 0; leave the mailbox option out for an unbounded ' +
        'mailbox. Fix it in @GenServer({ ... }) on ZeroBuffer, or omit the option to use its default.',
    );
  });

  it('an unknown overflow policy fails too, for a dynamic server as well', async () => {
    @GenServer({ mailbox: { capacity: 10, overflow: 'drop-newest' as never } })
    class WrongPolicy {
      @HandleCast() note(): void {}
    }
    for (const dynamic of [false, true]) {
      const error = await bootstrapError(WrongPolicy, dynamic);
      expect(error).toBeInstanceOf(InvalidDefinitionError);
      expect((error as Error).message).toContain(
        "options of WrongPolicy are invalid: mailbox.overflow must be 'reject' or 'drop-oldest', got 'drop-newest'",
      );
    }
  });
});
