import 'reflect-metadata';
import {
  Injectable,
  Module,
  type ModuleMetadata,
  Scope,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  HandleCall,
  HandleCast,
  HandleInfo,
  Init,
  InjectSelf,
  InjectServer,
  InvalidDefinitionError,
  OnIdle,
  Periodic,
  SelfRef,
  ServerRef,
  Supervised,
  Terminate,
  type GenServerModuleOptions,
} from 'nestjs-genserver';

/**
 * The bad-input catalogue: each entry is one kind of wrong decorator or option use, the error it fails
 * with, the key parts of that error's message, and how to reproduce it. `test/bad-input.e2e-spec.ts`
 * boots each one; `test/docs-errors.e2e-spec.ts` checks docs/errors.md lists each `id` with the first
 * key part of its message. The classes are declared inside `boot`, so a mistake caught when a class is
 * defined (`@InjectServer` of a non-GenServer) or a module declared (`forFeature`) fails the same way.
 */
export interface BadUse {
  /** Stable id, listed in docs/errors.md. */
  readonly id: string;
  /** The wrong use, in a few words. */
  readonly wrong: string;
  /** The error class, or the name of a Nest error class the library does not own. */
  readonly error: Type<Error> | string;
  /** Substrings the message must contain: the first says what and where, a later one the fix. */
  readonly message: readonly string[];
  /** Declares the wrong use and boots an app with it (closing it again either way). */
  readonly boot: () => Promise<void>;
}

/**
 * Compiles and inits a testing module with `metadata` under `GenServerModule.forRoot(root)` (or the
 * given root module), then closes it — also when init fails, as an app that failed to start is closed.
 */
export async function bootApp(
  metadata: ModuleMetadata,
  root: GenServerModuleOptions | DynamicModule = {},
): Promise<void> {
  const rootModule = 'module' in root ? (root as DynamicModule) : GenServerModule.forRoot(root);
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [rootModule, ...(metadata.imports ?? [])],
  }).compile();
  try {
    await moduleRef.init();
  } finally {
    await moduleRef.close().catch(() => undefined);
  }
}

/** A correct GenServer some entries need beside the wrong one. */
@GenServer()
export class Counter {
  private count = 0;

  @HandleCall() increment(by = 1): number {
    return (this.count += by);
  }
}

const invalid = InvalidDefinitionError;

export const CATALOGUE: readonly BadUse[] = [
  // ------------------------------------------------------------------ handler decorators
  {
    id: 'handler-outside-server',
    wrong: '@HandleCall() on a class without @GenServer()',
    error: invalid,
    message: [
      'Plain.ping() has @HandleCall() but Plain is not decorated with @GenServer()',
      'Add @GenServer()',
    ],
    boot: async () => {
      @Injectable()
      class Plain {
        @HandleCall() ping(): string {
          return 'pong';
        }
      }
      await bootApp({ providers: [Plain] });
    },
  },
  {
    id: 'handler-on-supervisor',
    wrong: 'a handler decorator on a @Supervised() class',
    error: invalid,
    message: ['Tree.ping() has @HandleCall() but Tree is a @Supervised() class', 'Move the method'],
    boot: async () => {
      @Supervised({ children: [Counter] })
      class Tree {
        @HandleCall() ping(): string {
          return 'pong';
        }
      }
      await bootApp({ providers: [Counter, Tree] });
    },
  },
  {
    id: 'handler-on-static',
    wrong: 'a handler decorator on a static method',
    error: invalid,
    message: ['Ticker.tick has @HandleCast() but is a static member', 'Make tick a plain method'],
    boot: async () => {
      @GenServer()
      class Ticker {
        @HandleCast() static tick(): void {}
      }
      await bootApp({ providers: [Ticker] });
    },
  },
  {
    id: 'handler-on-accessor',
    wrong: 'a handler decorator on a getter or setter',
    error: invalid,
    message: [
      'Gauge.value has @HandleCall() but is an accessor (get/set), not a method',
      'Make value a plain method',
    ],
    boot: async () => {
      @GenServer()
      class Gauge {
        @HandleCall() get value(): number {
          return 1;
        }
      }
      await bootApp({ providers: [Gauge] });
    },
  },
  {
    id: 'handler-on-field',
    wrong: 'a handler decorator on a field holding an arrow function',
    error: invalid,
    message: ['Greeter.greet has @HandleCall() but is a field (e.g. an arrow function), not a method'],
    boot: async () => {
      @GenServer()
      class Greeter {
        @(HandleCall() as unknown as PropertyDecorator) greet = (): string => 'hello';
      }
      await bootApp({ providers: [Greeter] });
    },
  },
  {
    id: 'duplicate-message',
    wrong: 'two handlers for the same message name',
    error: invalid,
    message: [
      "Twice has two call handlers for the message 'get': get() and read()",
      "pass another name to @HandleCall('...')",
    ],
    boot: async () => {
      @GenServer()
      class Twice {
        @HandleCall() get(): number {
          return 1;
        }
        @HandleCall('get') read(): number {
          return 2;
        }
      }
      await bootApp({ providers: [Twice] });
    },
  },
  {
    id: 'empty-message-name',
    wrong: "@HandleCall('') with an empty name",
    error: invalid,
    message: ["Blank.ping() has @HandleCall('') with an empty message name", 'omit the argument'],
    boot: async () => {
      @GenServer()
      class Blank {
        @HandleCall('') ping(): string {
          return 'pong';
        }
      }
      await bootApp({ providers: [Blank] });
    },
  },
  {
    id: 'bad-message-name',
    wrong: 'a message name that is not a string',
    error: invalid,
    message: [
      'Numbered.ping() has @HandleCast(42): a message name must be a non-empty string',
      'omit the argument',
    ],
    boot: async () => {
      @GenServer()
      class Numbered {
        @HandleCast(42 as unknown as string) ping(): void {}
      }
      await bootApp({ providers: [Numbered] });
    },
  },
  {
    id: 'duplicate-init',
    wrong: '@Init() on two methods',
    error: invalid,
    message: [
      'TwoInits has @Init() on both load() and warm(); a GenServer may have only one',
      'Keep it on one method and call the other from there',
    ],
    boot: async () => {
      @GenServer()
      class TwoInits {
        @Init() load(): void {}
        @Init() warm(): void {}
      }
      await bootApp({ providers: [TwoInits] });
    },
  },
  {
    id: 'duplicate-terminate',
    wrong: '@Terminate() on two methods',
    error: invalid,
    message: [
      'TwoTerminates has @Terminate() on both flush() and close(); a GenServer may have only one',
      'Keep it on one method and call the other from there',
    ],
    boot: async () => {
      @GenServer()
      class TwoTerminates {
        @Terminate() flush(): void {}
        @Terminate() close(): void {}
      }
      await bootApp({ providers: [TwoTerminates] });
    },
  },
  {
    id: 'duplicate-handle-info',
    wrong: '@HandleInfo() on two methods',
    error: invalid,
    message: [
      'TwoInfos has @HandleInfo() on both a() and b(); a GenServer may have only one',
      'Keep it on one method and call the other from there',
    ],
    boot: async () => {
      @GenServer()
      class TwoInfos {
        @HandleInfo() a(): void {}
        @HandleInfo() b(): void {}
      }
      await bootApp({ providers: [TwoInfos] });
    },
  },
  // ------------------------------------------------------------------ @Periodic and @OnIdle
  {
    id: 'periodic-bad-duration',
    wrong: '@Periodic() with a duration it cannot read',
    error: invalid,
    message: ['@Periodic() on Sync.run() is invalid: every must be', 'got "soon"'],
    boot: async () => {
      @GenServer()
      class Sync {
        @Periodic('soon') run(): void {}
      }
      await bootApp({ providers: [Sync] });
    },
  },
  {
    id: 'periodic-non-positive-period',
    wrong: '@Periodic() with a period of 0 (or less)',
    error: invalid,
    message: ['@Periodic() on Busy.run() is invalid: every must be longer than 0 ms, got 0'],
    boot: async () => {
      @GenServer()
      class Busy {
        @Periodic(0) run(): void {}
      }
      await bootApp({ providers: [Busy] });
    },
  },
  {
    id: 'periodic-bad-cron',
    wrong: '@Periodic() with an invalid cron expression',
    error: invalid,
    message: ["@Periodic() on Nightly.run() is invalid: invalid cron expression '61 * * * *'"],
    boot: async () => {
      @GenServer()
      class Nightly {
        @Periodic({ cron: '61 * * * *' }) run(): void {}
      }
      await bootApp({ providers: [Nightly] });
    },
  },
  {
    id: 'periodic-every-and-cron',
    wrong: '@Periodic() with both every and cron',
    error: invalid,
    message: ['@Periodic() on Both.run() is invalid: give either every or cron, not both'],
    boot: async () => {
      @GenServer()
      class Both {
        @Periodic({ every: '1h', cron: '0 * * * *' }) run(): void {}
      }
      await bootApp({ providers: [Both] });
    },
  },
  {
    id: 'periodic-unknown-mode',
    wrong: '@Periodic() with an unknown mode',
    error: invalid,
    message: [
      "@Periodic() on Moody.run() is invalid: mode must be 'fixed-rate', 'fixed-delay' or 'aligned', got 'sometimes'",
    ],
    boot: async () => {
      @GenServer()
      class Moody {
        @Periodic('1m', { mode: 'sometimes' as 'fixed-rate' }) run(): void {}
      }
      await bootApp({ providers: [Moody] });
    },
  },
  {
    id: 'periodic-unknown-option',
    wrong: '@Periodic() with an option it does not know (a typo)',
    error: invalid,
    message: ["@Periodic() on Typo.run() is invalid: unknown option 'runOnStart'", 'known: every, mode'],
    boot: async () => {
      @GenServer()
      class Typo {
        @Periodic({ every: '1m', runOnStart: true } as never) run(): void {}
      }
      await bootApp({ providers: [Typo] });
    },
  },
  {
    id: 'periodic-factory-failed',
    wrong: "a @Periodic() useFactory that throws (or can't get what it injects)",
    error: invalid,
    message: ['@Periodic() on Configured.run(): its useFactory failed: SYNC_EVERY is not set'],
    boot: async () => {
      @GenServer()
      class Configured {
        @Periodic({
          useFactory: () => {
            throw new Error('SYNC_EVERY is not set');
          },
        })
        run(): void {}
      }
      await bootApp({ providers: [Configured] });
    },
  },
  {
    id: 'on-idle-non-positive',
    wrong: '@OnIdle() with a timeout of 0 (or less)',
    error: invalid,
    message: [
      '@OnIdle() on Sleepy.nap() is invalid: the timeout must be > 0 ms',
      "Pass a duration such as '5m'",
    ],
    boot: async () => {
      @GenServer()
      class Sleepy {
        @OnIdle(0) nap(): void {}
      }
      await bootApp({ providers: [Sleepy] });
    },
  },
  // ------------------------------------------------------------------ @GenServer options
  {
    id: 'server-bad-timeout',
    wrong: '@GenServer() with a negative callTimeout, initTimeout or shutdownTimeout',
    error: invalid,
    message: [
      '@GenServer() options of Impatient are invalid: callTimeout must be a number of ms >= 0 or Infinity, got -1',
      'or omit the option to use its default',
    ],
    boot: async () => {
      @GenServer({ callTimeout: -1 })
      class Impatient {}
      await bootApp({ providers: [Impatient] });
    },
  },
  {
    id: 'server-nan-timeout',
    wrong: '@GenServer() with a timeout that is NaN (e.g. Number(process.env.X) of a missing variable)',
    error: invalid,
    message: [
      '@GenServer() options of Unset are invalid: initTimeout must be a number of ms >= 0 or Infinity, got NaN',
    ],
    boot: async () => {
      @GenServer({ initTimeout: Number(undefined) })
      class Unset {}
      await bootApp({ providers: [Unset] });
    },
  },
  {
    id: 'server-bad-restart',
    wrong: '@GenServer() with an unknown restart type',
    error: invalid,
    message: [
      "@GenServer() options of Always are invalid: restart must be 'permanent', 'transient' or 'temporary', got 'always'",
    ],
    boot: async () => {
      @GenServer({ restart: 'always' as 'permanent' })
      class Always {}
      await bootApp({ providers: [Always] });
    },
  },
  {
    id: 'server-bad-while-restarting',
    wrong: '@GenServer() with an unknown whileRestarting',
    error: invalid,
    message: [
      "@GenServer() options of Dropper are invalid: whileRestarting must be 'wait' or 'reject', got 'drop'",
    ],
    boot: async () => {
      @GenServer({ whileRestarting: 'drop' as 'wait' })
      class Dropper {}
      await bootApp({ providers: [Dropper] });
    },
  },
  {
    id: 'server-bad-restart-buffer',
    wrong: '@GenServer() with a restartBuffer that is not a whole count',
    error: invalid,
    message: [
      '@GenServer() options of Half are invalid: restartBuffer must be an integer >= 0 or Infinity',
      'got 1.5',
    ],
    boot: async () => {
      @GenServer({ restartBuffer: 1.5 })
      class Half {}
      await bootApp({ providers: [Half] });
    },
  },
  {
    id: 'server-bad-mailbox-capacity',
    wrong: '@GenServer() with a mailbox capacity that is not a positive whole count',
    error: invalid,
    message: ['@GenServer() options of Ingest are invalid: mailbox.capacity must be a positive integer'],
    boot: async () => {
      @GenServer({ mailbox: { capacity: 0 } })
      class Ingest {}
      await bootApp({ providers: [Ingest] });
    },
  },
  {
    id: 'server-bad-mailbox-overflow',
    wrong: '@GenServer() with an unknown mailbox overflow policy',
    error: invalid,
    message: [
      "@GenServer() options of Feed are invalid: mailbox.overflow must be 'reject' or 'drop-oldest', got 'drop-newest'",
    ],
    boot: async () => {
      @GenServer({ mailbox: { capacity: 100, overflow: 'drop-newest' as 'reject' } })
      class Feed {}
      await bootApp({ providers: [Feed] });
    },
  },
  {
    id: 'server-bad-name',
    wrong: '@GenServer() with an empty name',
    error: invalid,
    message: ["@GenServer() options of Nameless are invalid: name must be a non-empty string, got ''"],
    boot: async () => {
      @GenServer({ name: '' })
      class Nameless {}
      await bootApp({ providers: [Nameless] });
    },
  },
  {
    id: 'duplicate-name',
    wrong: 'two servers (or supervisors) going by one name',
    error: invalid,
    message: [
      "Primary (in RootTestModule) and Replica (in RootTestModule) both go by the name 'db'",
      'Give one of them another name with @GenServer({ name })',
    ],
    boot: async () => {
      @GenServer({ name: 'db' })
      class Primary {}
      @GenServer({ name: 'db' })
      class Replica {}
      await bootApp({ providers: [Primary, Replica] });
    },
  },
  // ------------------------------------------------------------------ providing and injecting
  {
    id: 'server-and-supervisor',
    wrong: 'one class with both @GenServer() and @Supervised()',
    error: invalid,
    message: ['Hybrid has both @GenServer() and @Supervised()', "list it in Hybrid's children"],
    boot: async () => {
      @GenServer()
      @Supervised({ children: [] })
      class Hybrid {}
      await bootApp({ providers: [Hybrid] });
    },
  },
  {
    id: 'provided-twice',
    wrong: 'one GenServer in the providers of two modules',
    error: invalid,
    message: ['The GenServer Counter is provided by more than one module', 'provide it in one module'],
    boot: async () => {
      @Module({ providers: [Counter] })
      class First {}
      @Module({ providers: [Counter] })
      class Second {}
      await bootApp({ imports: [First, Second] });
    },
  },
  {
    id: 'scoped-server',
    wrong: 'a request-scoped or transient GenServer',
    error: invalid,
    message: ['PerRequest is a GenServer but is request-scoped', 'must be a singleton'],
    boot: async () => {
      @GenServer()
      class PerRequest {}
      await bootApp({ providers: [{ provide: PerRequest, useClass: PerRequest, scope: Scope.REQUEST }] });
    },
  },
  {
    id: 'direct-injection',
    wrong: 'a GenServer class injected directly instead of its ServerRef',
    error: invalid,
    message: [
      'Billing injects the GenServer Counter directly (constructor parameter #0), which would bypass its mailbox',
      'Inject its ref instead: @InjectServer(Counter)',
    ],
    boot: async () => {
      @Injectable()
      class Billing {
        constructor(readonly counter: Counter) {}
      }
      await bootApp({ providers: [Counter, Billing] });
    },
  },
  {
    id: 'inject-self-outside-server',
    wrong: '@InjectSelf() in a class that is not a GenServer',
    error: invalid,
    message: [
      'Helper.self has @InjectSelf() but Helper is not decorated with @GenServer()',
      'Use @InjectSelf() in a @GenServer() class only',
    ],
    boot: async () => {
      @Injectable()
      class Helper {
        @InjectSelf() readonly self!: SelfRef<Helper>;
      }
      await bootApp({ providers: [Helper] });
    },
  },
  {
    id: 'inject-server-not-a-server',
    wrong: '@InjectServer() of a class that is not a GenServer',
    error: invalid,
    message: ['@InjectServer(Mailer): Mailer is not a GenServer', 'Decorate it with @GenServer()'],
    boot: async () => {
      @Injectable()
      class Mailer {}
      @Injectable()
      class Signup {
        constructor(@InjectServer(Mailer) readonly mailer: ServerRef<Mailer>) {}
      }
      await bootApp({ providers: [Mailer, Signup] });
    },
  },
  {
    id: 'inject-server-not-imported',
    wrong: '@InjectServer(Server) in a module that does not import GenServerModule.forFeature([Server])',
    error: 'UnknownDependenciesException',
    message: ["Nest can't resolve dependencies of the Shop", 'ServerRef<Counter>'],
    boot: async () => {
      @Injectable()
      class Shop {
        constructor(@InjectServer(Counter) readonly counter: ServerRef<Counter>) {}
      }
      await bootApp({ providers: [Counter, Shop] });
    },
  },
  {
    id: 'ref-without-provider',
    wrong: 'GenServerModule.forFeature([Server]) while no module provides the server',
    error: invalid,
    message: [
      'ServerRef<Counter> is injected, but no module provides Counter',
      'Add Counter to the providers',
    ],
    boot: async () => {
      @Injectable()
      class Shop {
        constructor(@InjectServer(Counter) readonly counter: ServerRef<Counter>) {}
      }
      await bootApp({ imports: [GenServerModule.forFeature([Counter])], providers: [Shop] });
    },
  },
  {
    id: 'for-feature-not-a-server',
    wrong: 'GenServerModule.forFeature() of a class that is not a GenServer',
    error: invalid,
    message: [
      'Repo is not a GenServer, but it is listed in GenServerModule.forFeature()',
      'Decorate the class with @GenServer()',
    ],
    boot: async () => {
      @Injectable()
      class Repo {}
      await bootApp({ imports: [GenServerModule.forFeature([Repo])] });
    },
  },
  // ------------------------------------------------------------------ @Supervised
  {
    id: 'supervised-bad-strategy',
    wrong: '@Supervised() with an unknown strategy',
    error: invalid,
    message: [
      "@Supervised() options of Sup are invalid: strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got 'one_for_none'",
    ],
    boot: async () => {
      @Supervised({ strategy: 'one_for_none' as 'one_for_one', children: [Counter] })
      class Sup {}
      await bootApp({ providers: [Counter, Sup] });
    },
  },
  {
    id: 'supervised-bad-max-restarts',
    wrong: '@Supervised() with a negative maxRestarts',
    error: invalid,
    message: ['@Supervised() options of Sup are invalid: maxRestarts must be an integer >= 0, got -1'],
    boot: async () => {
      @Supervised({ maxRestarts: -1, children: [Counter] })
      class Sup {}
      await bootApp({ providers: [Counter, Sup] });
    },
  },
  {
    id: 'supervised-bad-within',
    wrong: '@Supervised() with withinMs of 0 (or less)',
    error: invalid,
    message: ['@Supervised() options of Sup are invalid: withinMs must be a number of ms > 0, got 0'],
    boot: async () => {
      @Supervised({ withinMs: 0, children: [Counter] })
      class Sup {}
      await bootApp({ providers: [Counter, Sup] });
    },
  },
  {
    id: 'supervised-bad-backoff',
    wrong: '@Supervised() with a backoff it cannot use',
    error: invalid,
    message: [
      '@Supervised() options of Sup are invalid: backoff.maxMs must be a number of ms >= minMs (1000), got 10',
    ],
    boot: async () => {
      @Supervised({ backoff: { minMs: 1000, maxMs: 10 }, children: [Counter] })
      class Sup {}
      await bootApp({ providers: [Counter, Sup] });
    },
  },
  {
    id: 'supervised-child-not-a-process',
    wrong: '@Supervised() listing a class that is neither a GenServer nor @Supervised()',
    error: invalid,
    message: ['Sup lists Repo as children[0], but it is neither a @GenServer() nor a @Supervised() class'],
    boot: async () => {
      @Injectable()
      class Repo {}
      @Supervised({ children: [Repo] })
      class Sup {}
      await bootApp({ providers: [Repo, Sup] });
    },
  },
  {
    id: 'supervised-child-undefined',
    wrong: '@Supervised() listing undefined (a circular import)',
    error: invalid,
    message: ['Sup lists undefined as children[1]', 'Break the import cycle'],
    boot: async () => {
      @Supervised({ children: [Counter, undefined as never] })
      class Sup {}
      await bootApp({ providers: [Counter, Sup] });
    },
  },
  {
    id: 'supervised-child-not-provided',
    wrong: '@Supervised() listing a GenServer no module provides',
    error: invalid,
    message: ['Sup lists Counter as a child, but no module provides Counter', 'Add Counter to the providers'],
    boot: async () => {
      @Supervised({ children: [Counter] })
      class Sup {}
      await bootApp({ providers: [Sup] });
    },
  },
  {
    id: 'supervised-listed-twice',
    wrong: 'one child listed by two supervisors',
    error: invalid,
    message: ['Counter is listed as a child by more than one supervisor (Left, Right)', 'list it once'],
    boot: async () => {
      @Supervised({ children: [Counter] })
      class Left {}
      @Supervised({ children: [Counter] })
      class Right {}
      await bootApp({ providers: [Counter, Left, Right] });
    },
  },
  {
    id: 'supervised-cycle',
    wrong: 'supervisors that list each other (a cycle)',
    error: invalid,
    message: [
      'The children of @Supervised() classes form a cycle: Top > Bottom > Top',
      'remove one of these listings',
    ],
    boot: async () => {
      // A cycle cannot be written with class declarations; a circular import can make one.
      class Top {}
      class Bottom {}
      Supervised({ children: [Bottom] })(Top);
      Supervised({ children: [Top] })(Bottom);
      await bootApp({ providers: [Top, Bottom] });
    },
  },
  // ------------------------------------------------------------------ GenServerModule options
  {
    id: 'root-bad-timeout',
    wrong: 'forRoot() with a negative callTimeout or shutdownTimeout',
    error: invalid,
    message: [
      'GenServerModule.forRoot() options are invalid: callTimeout must be a number of ms >= 0 or Infinity, got -5',
      'or omit the option to use its default',
    ],
    boot: async () => bootApp({ providers: [Counter] }, { callTimeout: -5 }),
  },
  {
    id: 'root-bad-clock',
    wrong: 'forRoot() with a clock that is not a Clock',
    error: invalid,
    message: [
      'GenServerModule.forRoot() options are invalid: clock must be a Clock (now, setTimer, clearTimer)',
      'new ManualClock()',
    ],
    boot: async () => bootApp({ providers: [Counter] }, { clock: Date as never }),
  },
  {
    id: 'root-bad-strategy',
    wrong: 'forRoot() with an unknown strategy (or bad maxRestarts, withinMs, backoff)',
    error: invalid,
    message: [
      "GenServerModule.forRoot() options are invalid: strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got 'all'",
    ],
    boot: async () => bootApp({ providers: [Counter] }, { strategy: 'all' as 'one_for_all' }),
  },
  {
    id: 'root-bad-give-up',
    wrong: 'forRoot() with an unknown rootGiveUp',
    error: invalid,
    message: ["GenServerModule option rootGiveUp must be 'keep-serving' or 'shutdown', got 'exit'"],
    boot: async () => bootApp({ providers: [Counter] }, { rootGiveUp: 'exit' as 'shutdown' }),
  },
  {
    id: 'root-async-options-source',
    wrong: 'forRootAsync() with none, or more than one, of useFactory, useClass, useExisting',
    error: invalid,
    message: ['GenServerModule.forRootAsync() needs exactly one of useFactory, useClass or useExisting'],
    boot: async () => bootApp({ providers: [Counter] }, GenServerModule.forRootAsync({})),
  },
  {
    id: 'root-async-bad-options',
    wrong: "forRootAsync() whose factory returns bad options (e.g. from a config that isn't set)",
    error: invalid,
    message: [
      'GenServerModule.forRoot() options are invalid: shutdownTimeout must be a number of ms >= 0 or Infinity, got NaN',
    ],
    boot: async () =>
      bootApp(
        { providers: [Counter] },
        GenServerModule.forRootAsync({ useFactory: () => ({ shutdownTimeout: Number('5s') }) }),
      ),
  },
  // ------------------------------------------------------------------ forDynamic, forTaskSupervisor
  {
    id: 'dynamic-bad-max-children',
    wrong: 'forDynamic() with maxChildren 0 (or not a whole number)',
    error: invalid,
    message: [
      'GenServerModule.forDynamic(Game) options are invalid: maxChildren must be an integer >= 1 (omit it for no limit), got 0',
    ],
    boot: async () => {
      @GenServer()
      class Game {}
      await bootApp({ imports: [GenServerModule.forDynamic(Game, { maxChildren: 0 })] });
    },
  },
  {
    id: 'dynamic-bad-idle-timeout',
    wrong: 'forDynamic() with an idleTimeout it cannot read, or of 0',
    error: invalid,
    message: ['GenServerModule.forDynamic(Game) options are invalid: idleTimeout must be', 'got "a while"'],
    boot: async () => {
      @GenServer()
      class Game {}
      await bootApp({ imports: [GenServerModule.forDynamic(Game, { idleTimeout: 'a while' })] });
    },
  },
  {
    id: 'dynamic-also-provided',
    wrong: 'a forDynamic() class also listed in providers',
    error: invalid,
    message: [
      "Game is registered with GenServerModule.forDynamic() and also listed in a module's providers",
      'remove Game from providers',
    ],
    boot: async () => {
      @GenServer()
      class Game {}
      await bootApp({ imports: [GenServerModule.forDynamic(Game)], providers: [Game] });
    },
  },
  {
    id: 'dynamic-not-a-server',
    wrong: 'forDynamic() of a class that is not a GenServer',
    error: invalid,
    message: [
      'Room is not a GenServer, but it is passed to GenServerModule.forDynamic()',
      'Decorate the class with @GenServer()',
    ],
    boot: async () => {
      class Room {}
      await bootApp({ imports: [GenServerModule.forDynamic(Room)] });
    },
  },
  {
    id: 'task-supervisor-bad-options',
    wrong: 'forTaskSupervisor() with a negative shutdownTimeout',
    error: invalid,
    message: [
      "GenServerModule.forTaskSupervisor('mail'): mail: shutdownTimeout must be a number of ms >= 0 or Infinity, got -1",
    ],
    boot: async () =>
      bootApp({ imports: [GenServerModule.forTaskSupervisor('mail', { shutdownTimeout: -1 })] }),
  },
  {
    id: 'task-supervisor-no-name',
    wrong: 'forTaskSupervisor() without a name, or twice with one name',
    error: invalid,
    message: ['GenServerModule.forTaskSupervisor() needs a non-empty name, got ""'],
    boot: async () => bootApp({ imports: [GenServerModule.forTaskSupervisor('')] }),
  },
];
