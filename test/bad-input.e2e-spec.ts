import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AlreadyStartedError,
  GenServer,
  GenServerError,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  HandleInfo,
  InjectSelf,
  InjectServer,
  InvalidDefinitionError,
  JobNotFoundError,
  ManualClock,
  MaxChildrenError,
  OnIdle,
  PeriodicRegistry,
  SelfRef,
  ServerNotRunningError,
  ServerRef,
  TaskSupervisorNotFoundError,
  UnknownMessageError,
  type DynamicSupervisorRef,
} from 'nestjs-genserver';
import { CATALOGUE, Counter } from './bad-input-catalogue.js';

/**
 * Item 5 of the reliability suite: no input, however wrong, takes the process down or leaves it broken.
 * Each kind of wrong decorator or option use in the catalogue fails bootstrap with a named error whose
 * message says what, where and the fix; no timer is left behind, and a correct app boots afterwards.
 * Wrong input at run time gets a typed error and leaves the server serving.
 */

/** Timers and immediates of this process (the library's would be among them on the system clock). */
const pendingTimers = (): number =>
  process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;

const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason);
};

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
});

afterAll(() => {
  process.off('unhandledRejection', onRejection);
});

afterEach(() => {
  jest.restoreAllMocks();
  expect(rejections).toEqual([]);
});

/** Boots a correct app on the system clock, calls a server through its ref, and closes it. */
async function bootCorrectApp(): Promise<number> {
  let answer = 0;
  @Injectable()
  class Shop {
    constructor(@InjectServer(Counter) readonly counter: ServerRef<Counter>) {}
  }
  const moduleRef = await Test.createTestingModule({
    imports: [GenServerModule.forRoot(), GenServerModule.forFeature([Counter])],
    providers: [Counter, Shop],
  }).compile();
  await moduleRef.init();
  answer = await moduleRef.get(Shop).counter.call('increment', 2);
  await moduleRef.close();
  return answer;
}

describe('bad input catalogue: wrong decorator and option use fails bootstrap with a named error', () => {
  it('lists at least 15 kinds, each under its own id', () => {
    const ids = CATALOGUE.map((entry) => entry.id);
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(CATALOGUE.map((entry) => [entry.id, entry] as const))(
    '%s: fails with the named error, leaves no timer, and a correct app boots after it',
    async (_id, entry) => {
      jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const before = pendingTimers();
      const error = await entry.boot().then(
        () => new Error(`${entry.id}: the app booted`),
        (thrown: unknown) => thrown as Error,
      );
      if (typeof entry.error === 'string') {
        expect(error.constructor.name).toBe(entry.error);
      } else {
        expect(error).toBeInstanceOf(entry.error);
        expect(error).toBeInstanceOf(GenServerError);
        expect((error as InvalidDefinitionError).code).toBe('INVALID_DEFINITION');
        expect(error.name).toBe('InvalidDefinitionError');
      }
      for (const part of entry.message) expect(error.message).toContain(part);
      expect(pendingTimers()).toBe(before);
      await expect(bootCorrectApp()).resolves.toBe(2);
      expect(pendingTimers()).toBe(before);
    },
  );
});

@GenServer({ callTimeout: 1000 })
class Store {
  @InjectSelf() private readonly self!: SelfRef<Store>;
  private readonly items = new Map<string, unknown>();
  private idled = 0;

  @HandleCall() put<V>(key: string, value: V): V {
    this.items.set(key, value);
    return value;
  }

  @HandleCall() size(): number {
    return this.items.size;
  }

  @HandleCast() clear(): void {
    this.items.clear();
  }

  @HandleInfo() info(): void {}

  @OnIdle('1m') idle(): void {
    this.idled++;
  }

  /** Sets a timer with a bad value and returns what it threw, so the test sees it without a crash. */
  @HandleCall() badTimer(kind: 'sendAfter' | 'castAfter' | 'setIdleTimeout', delay: number): string {
    try {
      if (kind === 'sendAfter') this.self.sendAfter('tick', delay);
      else if (kind === 'castAfter') this.self.castAfter(delay, 'clear');
      else this.self.setIdleTimeout(delay);
      return 'accepted';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
}

@GenServer()
class Room {}

describe('wrong input at run time gets a typed error and leaves the server serving', () => {
  let app: TestingModule;
  let store: ServerRef<Store>;
  let rooms: DynamicSupervisorRef<Room>;

  async function boot(): Promise<void> {
    app = await Test.createTestingModule({
      imports: [
        GenServerModule.forRoot({ clock: new ManualClock() }),
        GenServerModule.forDynamic(Room, { maxChildren: 2 }),
      ],
      providers: [Store],
    }).compile();
    await app.init();
    const runtime = app.get(GenServerRuntime);
    store = runtime.ref(Store);
    rooms = runtime.dynamicRef(Room) as DynamicSupervisorRef<Room>;
  }

  afterEach(async () => {
    await app.close();
  });

  it('an unknown message: the call rejects and the cast throws UnknownMessageError; nothing is queued', async () => {
    await boot();
    const untyped = store as unknown as ServerRef<Record<string, () => unknown>>;
    const call = untyped.call('fetch');
    await expect(call).rejects.toThrow(UnknownMessageError);
    await expect(call).rejects.toMatchObject({
      code: 'UNKNOWN_MESSAGE',
      message: expect.stringContaining("Store has no call handler named 'fetch'. Known calls: 'put', 'size'"),
    });
    expect(() => untyped.cast('flush')).toThrow(
      "Store has no cast handler named 'flush'. Known casts: 'clear'",
    );
    expect(store.info()).toMatchObject({ status: 'running', restarts: 0, mailboxLength: 0 });
    await expect(store.call('put', 'a', 1)).resolves.toBe(1);
  });

  it.each([-1, Number.NaN, -Infinity])(
    'a call timeout of %p rejects with a RangeError at once; the server keeps serving',
    async (timeout) => {
      await boot();
      const call = store.withTimeout(timeout).call('size');
      await expect(call).rejects.toThrow(RangeError);
      await expect(call).rejects.toThrow(
        `Call timeout for 'size' on Store must be >= 0 ms or Infinity, got ${timeout}`,
      );
      expect(store.info()).toMatchObject({ status: 'running', restarts: 0, mailboxLength: 0 });
      await expect(store.withTimeout(Infinity).call('size')).resolves.toBe(0);
    },
  );

  it.each([
    ['sendAfter', -1, 'RangeError: Store: sendAfter() delay must be a number of ms >= 0'],
    ['castAfter', Number.NaN, 'RangeError: Store: castAfter() delay must be a number of ms >= 0'],
    [
      'setIdleTimeout',
      0,
      'RangeError: Store: the idle timeout must be a number of ms > 0 or Infinity, got 0',
    ],
    ['setIdleTimeout', -5, 'RangeError: Store: setIdleTimeout() must be a number of ms >= 0'],
  ] as const)(
    'SelfRef.%s(%p) throws a RangeError in the handler, which can catch it',
    async (kind, delay, thrown) => {
      await boot();
      await expect(store.call('badTimer', kind, delay)).resolves.toContain(thrown);
      expect(store.info()).toMatchObject({ status: 'running', restarts: 0 });
    },
  );

  it('calling or casting a server of a closed app gets ServerNotRunningError', async () => {
    await boot();
    await app.close();
    await expect(store.call('size')).rejects.toThrow(ServerNotRunningError);
    await expect(store.call('size')).rejects.toMatchObject({ code: 'SERVER_NOT_RUNNING' });
    expect(() => store.cast('clear')).toThrow(ServerNotRunningError);
    expect(() => store.send('hello')).toThrow(ServerNotRunningError);
    await expect(rooms.startChild(undefined, { key: 'late' })).rejects.toThrow(ServerNotRunningError);
    await boot(); // afterEach closes this one
  });

  it('dynamic children: a taken key, a key that is not a string, one child too many', async () => {
    await boot();
    await rooms.startChild(undefined, { key: 'lobby' });
    await expect(rooms.startChild(undefined, { key: 'lobby' })).rejects.toThrow(AlreadyStartedError);
    await expect(rooms.startChild(undefined, { key: 7 as unknown as string })).rejects.toThrow(
      "RoomSupervisor: a child's key must be a string, got 7 (number)",
    );
    await rooms.startChild();
    await expect(rooms.startChild()).rejects.toThrow(MaxChildrenError);
    expect(rooms.countChildren()).toEqual({ total: 2, running: 2 });
  });

  it('an unknown periodic job or task supervisor name gets its typed error', async () => {
    await boot();
    expect(() => app.get(PeriodicRegistry).trigger('Store.sync')).toThrow(JobNotFoundError);
    expect(() => app.get(GenServerRuntime).taskSupervisor('mail')).toThrow(TaskSupervisorNotFoundError);
  });

  it('arguments are passed by reference, not serialized: functions, cycles and class instances arrive as they are', async () => {
    await boot();
    const cyclic: { self?: unknown; fn: () => number; when: Date } = { fn: () => 42, when: new Date(0) };
    cyclic.self = cyclic;
    const back = (await store.call('put', 'cyclic', cyclic)) as typeof cyclic;
    expect(back).toBe(cyclic);
    expect(back.fn()).toBe(42);
    expect(back.when).toBeInstanceOf(Date);
  });
});
