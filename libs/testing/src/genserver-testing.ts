import type { INestApplication, INestApplicationContext, Type } from '@nestjs/common';
import type { TestingModule, TestingModuleBuilder } from '@nestjs/testing';
import { GENSERVER_TESTING, type GenServerStartSelection, ManualClock } from 'nestjs-genserver';
import { GenServerHarness } from './genserver-harness.js';
import {
  type MockImplementation,
  type ServerMock,
  type SpyFactory,
  createServerMock,
  jestSpyFactory,
  mockedClass,
} from './server-mock.js';
import { TestingSession } from './testing-session.js';

/** Options of {@link GenServerTesting.configure} and {@link GenServerTesting.start}. */
export interface GenServerTestingOptions {
  /** When the manual clock starts: a Date, epoch ms or ISO string (default 2026-01-01T00:00:00Z). */
  readonly now?: Date | number | string;
  /**
   * What starts at bootstrap: everything (`'all'`, default), nothing (`'none'`: start it with
   * `harness.start(...)`), or the listed GenServer / `@Supervised` classes, each with its subtree.
   */
  readonly start?: GenServerStartSelection;
  /** GenServers replaced by their mocks (from {@link GenServerTesting.mock}). */
  readonly mocks?: readonly ServerMock<object>[];
}

/** {@link GenServerTesting.start} options that also create an HTTP application. */
export interface GenServerHttpTestingOptions extends GenServerTestingOptions {
  /** Create a Nest HTTP application (`createNestApplication()`) rather than a bare testing module. */
  readonly http: true;
}

/**
 * The testing kit: plugs into `Test.createTestingModule(...)`, puts the supervision tree on a manual
 * clock, and hands out a {@link GenServerHarness} to drive it. Everything hangs off the compiled
 * module, so tests (and apps) never share a clock, a server or a registry.
 *
 * @example
 * const harness = await GenServerTesting.start(
 *   Test.createTestingModule({ imports: [OrdersModule] }).overrideProvider(Mailer).useValue(mailer),
 *   { now: '2026-03-05T10:17:00Z' },
 * );
 */
export class GenServerTesting {
  /**
   * Switches the builder's application to a manual clock and applies `start` and `mocks`. Compile
   * and init it as usual, then get the harness with {@link GenServerTesting.harness}. Returns the same
   * builder, so more `overrideProvider(...)` calls can follow.
   */
  static configure(
    builder: TestingModuleBuilder,
    options: GenServerTestingOptions = {},
  ): TestingModuleBuilder {
    const mocks = new Map<Type<object>, object>();
    for (const mock of options.mocks ?? []) {
      const server = mockedClass(mock);
      if (server === undefined) {
        throw new TypeError('GenServerTesting: `mocks` takes the results of GenServerTesting.mock(Server)');
      }
      if (mocks.has(server)) throw new TypeError(`GenServerTesting: ${server.name} is mocked twice`);
      mocks.set(server, mock);
      // Nest must not build the real server (nor need its dependencies): the mock stands in for it.
      builder.overrideProvider(server).useValue(mock);
    }
    const session = new TestingSession(
      new ManualClock(startTime(options.now)),
      options.start ?? 'all',
      mocks,
    );
    return builder.overrideProvider(GENSERVER_TESTING).useValue(session);
  }

  /**
   * {@link configure}, compile, init (the tree starts) and return the harness; `harness.close()`
   * closes the app. With `http: true` the app is a Nest HTTP application (for supertest).
   */
  static start(
    builder: TestingModuleBuilder,
    options: GenServerHttpTestingOptions,
  ): Promise<GenServerHarness<INestApplication>>;
  static start(
    builder: TestingModuleBuilder,
    options?: GenServerTestingOptions,
  ): Promise<GenServerHarness<TestingModule>>;
  static async start(
    builder: TestingModuleBuilder,
    options: GenServerTestingOptions & { readonly http?: boolean } = {},
  ): Promise<GenServerHarness<INestApplicationContext>> {
    const module = await GenServerTesting.configure(builder, options).compile();
    const app = options.http === true ? module.createNestApplication() : module;
    await app.init();
    return GenServerTesting.harness(app);
  }

  /**
   * The harness of an application compiled from a builder given to {@link configure} (the testing
   * module, or the app created from it). Call it before or after `init()`: events are recorded from
   * the start either way.
   */
  static harness<A extends INestApplicationContext>(app: A): GenServerHarness<A> {
    let session: unknown;
    try {
      session = app.get(GENSERVER_TESTING, { strict: false });
    } catch {
      throw new Error(
        'This application has no GenServerModule.forRoot(): import it in the testing module, e.g. ' +
          'Test.createTestingModule({ imports: [GenServerModule.forRoot(), OrdersModule] }).',
      );
    }
    if (!(session instanceof TestingSession)) {
      throw new Error(
        'This application was not set up by the testing kit: pass its builder to ' +
          'GenServerTesting.configure(builder) before compile(), or use GenServerTesting.start(builder).',
      );
    }
    return new GenServerHarness(app, session);
  }

  /**
   * A mock of the GenServer `server`: every method is a Jest spy calling the implementation given for
   * it, if any. Pass it in `mocks`: it then answers in the server's place, through a real mailbox, with
   * the server's name, message names and timeouts (a hanging implementation makes callers time out).
   * Outside Jest, pass the spy factory of your runner (`{ spy: vi.fn }`).
   *
   * @example
   * const payments = GenServerTesting.mock(PaymentServer, { charge: async (order) => ({ id: 'ch_1' }) });
   * // ... { mocks: [payments] }
   * expect(payments.charge).toHaveBeenCalledWith('order-1');
   */
  static mock<T extends object>(
    server: Type<T>,
    implementation: MockImplementation<T> = {},
    options: { readonly spy?: SpyFactory } = {},
  ): ServerMock<T> {
    const spy = options.spy ?? jestSpyFactory();
    if (spy === undefined) {
      throw new Error(
        'GenServerTesting.mock() makes Jest spies, and no Jest was found: run it under Jest, or pass ' +
          'your runner’s spy factory ({ spy: vi.fn }).',
      );
    }
    return createServerMock(server, implementation, spy);
  }
}

function startTime(now: Date | number | string | undefined): number {
  if (now === undefined) return Date.UTC(2026, 0, 1);
  const time = typeof now === 'string' ? Date.parse(now) : typeof now === 'number' ? now : now.getTime();
  if (!Number.isFinite(time))
    throw new RangeError(`GenServerTesting: \`now\` must be a valid time, got ${String(now)}`);
  return time;
}
