import type { DeferredReply } from './runtime/deferred-reply.js';
import { ManualClock } from './runtime/manual-clock.js';
import { ServerProcess } from './runtime/server-process.js';
import { ServerRef, type Reply } from './server-ref.js';

class Cart {
  items: string[] = [];
  add(item: string, quantity = 1): number {
    for (let i = 0; i < quantity; i++) this.items.push(item);
    return this.items.length;
  }
  async total(): Promise<{ count: number }> {
    return { count: this.items.length };
  }
  clear(): void {
    this.items = [];
  }
  later(): DeferredReply<string[]> {
    throw new Error('type-level only');
  }
  cachedOrLater(): number | DeferredReply<number> {
    throw new Error('type-level only');
  }
}

function cartRef(aliases: { call?: Map<string, string> } = {}): ServerRef<Cart> {
  const process = new ServerProcess<Cart>(
    {
      name: 'Cart',
      create: () => new Cart(),
      calls: { add: Cart.prototype.add, sum: Cart.prototype.total },
      casts: { clear: Cart.prototype.clear },
    },
    { clock: new ManualClock() },
  );
  void process.start();
  return new ServerRef(process, aliases);
}

/** Compile-time equality: `npm test` runs `tsc` first, so a wrong type here fails the suite. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

describe('ServerRef', () => {
  it('infers reply types from the class and checks names and arguments at compile time', async () => {
    assertType<Equal<Reply<Cart, 'add'>, number>>();
    assertType<Equal<Reply<Cart, 'total'>, { count: number }>>();
    // a handler that defers its reply: the caller gets what the DeferredReply will carry
    assertType<Equal<Reply<Cart, 'later'>, string[]>>();
    assertType<Equal<Reply<Cart, 'cachedOrLater'>, number>>();
    const ref = cartRef({ call: new Map([['total', 'sum']]) });

    const size: number = await ref.call('add', 'apple', 2);
    const total: { count: number } = await ref.call('total');
    expect([size, total]).toEqual([2, { count: 2 }]);

    // Each line below must fail to compile; `tsc` reports an unused @ts-expect-error otherwise.
    // @ts-expect-error unknown message name
    await ref.call('remove', 'apple').catch(() => undefined);
    // @ts-expect-error wrong argument type
    await ref.call('add', 42).catch(() => undefined);
    // @ts-expect-error missing required argument
    await ref.call('add').catch(() => undefined);
    // @ts-expect-error `items` is a field, not a message
    await ref.call('items').catch(() => undefined);
    // @ts-expect-error a cast returns whether it was queued, nothing to await on
    const queued: Promise<unknown> = ref.cast('clear');
    expect(queued).toBe(true);
  });

  it('resolves method names to custom message names, and rejects unknown names from untyped callers', async () => {
    const ref = cartRef({ call: new Map([['total', 'sum']]) });
    await expect(ref.call('total')).resolves.toEqual({ count: 0 });
    const untyped = ref as unknown as { call(name: string): Promise<unknown> };
    await expect(untyped.call('sum')).resolves.toEqual({ count: 0 });
    await expect(untyped.call('nope')).rejects.toMatchObject({
      code: 'UNKNOWN_MESSAGE',
      known: ['add', 'sum'],
    });
  });

  it('withTimeout returns a ref with its own timeout and leaves the original alone', async () => {
    const clock = new ManualClock();
    const process = new ServerProcess<Cart>(
      {
        name: 'Cart',
        create: () => new Cart(),
        calls: { add: Cart.prototype.add },
        init: () => new Promise<void>((resolve) => clock.setTimer(resolve, 10_000)),
        initTimeout: Infinity,
      },
      { clock },
    );
    void process.start();
    const ref = new ServerRef(process, {});
    const quick = ref.withTimeout(100).call('add', 'x');
    const normal = ref.call('add', 'y');
    clock.advanceBy(100);
    await expect(quick).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 100 });
    clock.advanceBy(4900);
    await expect(normal).rejects.toMatchObject({ code: 'CALL_TIMEOUT', timeoutMs: 5000 });
  });
});
