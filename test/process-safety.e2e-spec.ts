import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  HandleInfo,
  Init,
  InjectSelf,
  OnIdle,
  Periodic,
  SelfRef,
  Supervised,
} from 'nestjs-genserver';

/**
 * The library is a guest in the user's process: it registers no process handlers, sets no globals, and
 * leaves no timer behind once the app is closed — so a test runner exits on its own.
 *
 * This suite, like every other, runs without `--forceExit` and without `--detectOpenHandles`: neither
 * package.json's scripts nor jest.config.js pass them (checked below). A leaked ref'd timer would keep
 * Jest from exiting and show as "Jest did not exit one second after the test run has completed".
 */

const EVENTS = [
  'uncaughtException',
  'unhandledRejection',
  'SIGTERM',
  'SIGINT',
  'beforeExit',
  'exit',
  'warning',
];

const listeners = (): Record<string, number> =>
  Object.fromEntries(EVENTS.map((event) => [event, process.listenerCount(event)]));

/** Active 'Timeout' and 'Immediate' resources (ref'd ones: what keeps Node running). */
function activeTimers(): { Timeout: number; Immediate: number } {
  const info = process.getActiveResourcesInfo();
  return {
    Timeout: info.filter((r) => r === 'Timeout').length,
    Immediate: info.filter((r) => r === 'Immediate').length,
  };
}

/**
 * Tracks every `setTimeout`/`setInterval` made while installed, unref'd ones included (they keep no
 * process alive, so `getActiveResourcesInfo()` does not list them, but a leaked one still holds its
 * server in memory until it fires). `pending()` names the live ones by the delay they were set with.
 */
function trackTimers(): { pending(): number[]; restore(): void } {
  const live = new Map<unknown, number>();
  const real = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
  };
  const tracked = (make: typeof setTimeout, once: boolean) =>
    ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = make(
        (...a: unknown[]) => {
          if (once) live.delete(timer);
          callback(...a);
        },
        ms,
        ...args,
      );
      live.set(timer, ms ?? 0);
      return timer;
    }) as typeof setTimeout;
  const cleared = (clear: typeof clearTimeout) =>
    ((timer: Parameters<typeof clearTimeout>[0]) => {
      live.delete(timer);
      clear(timer);
    }) as typeof clearTimeout;
  globalThis.setTimeout = tracked(real.setTimeout, true);
  globalThis.setInterval = tracked(real.setInterval as unknown as typeof setTimeout, false) as never;
  globalThis.clearTimeout = cleared(real.clearTimeout);
  globalThis.clearInterval = cleared(real.clearInterval as typeof clearTimeout) as never;
  return {
    pending: () => [...live.values()],
    restore: () => Object.assign(globalThis, real),
  };
}

const HOUR = 3_600_000;

/** Every kind of timer a server can own: a periodic tick, send-after, cast-after, idle, call deadline. */
@GenServer({ callTimeout: HOUR })
class Ticker {
  @InjectSelf() private readonly self!: SelfRef<Ticker>;
  ticks = 0;

  @Init()
  init(): void {
    this.self.sendAfter('later', '1h');
    this.self.castAfter('2h', 'noop');
  }

  @Periodic('1h')
  tick(): void {
    this.ticks++;
  }

  @OnIdle('1h')
  idle(): void {}

  @HandleInfo()
  info(): void {}

  @HandleCast()
  noop(): void {}

  @HandleCall()
  ping(): string {
    return 'pong';
  }
}

@GenServer()
class Flaky {
  @HandleCall()
  ping(): string {
    return 'pong';
  }
}

/** Restarts a crashed child only after an hour: a pending backoff wait. */
@Supervised({ children: [Flaky], backoff: { minMs: HOUR, maxMs: 2 * HOUR } })
class FlakySupervisor {}

/** Dynamic children evicted after an hour without use: idle-eviction timers. */
@GenServer()
class Session {
  @HandleCall()
  ping(): string {
    return 'pong';
  }
}

const quiet: LoggerService = { log() {}, warn() {}, error() {} };

describe('process safety', () => {
  let app: TestingModule | undefined;
  let timers: ReturnType<typeof trackTimers> | undefined;

  beforeEach(() => {
    timers = trackTimers();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    timers?.restore();
  });

  it('registers no process listener and leaves no timer once closed (servers, jobs, tasks, agents, dynamic)', async () => {
    const listenersBefore = listeners();
    const timersBefore = activeTimers();

    app = await Test.createTestingModule({
      imports: [
        GenServerModule.forRoot({ rootGiveUp: 'keep-serving' }),
        GenServerModule.forDynamic(Session, { idleTimeout: '1h' }),
      ],
      providers: [Ticker, Flaky, FlakySupervisor],
    })
      .setLogger(quiet)
      .compile();
    await app.init();
    const runtime = app.get(GenServerRuntime);

    // A call with a deadline, dynamic children with eviction timers, an agent, a task waiting to retry
    // after a backoff and a caller awaiting it with a timeout, a crashed server waiting out its backoff.
    await expect(runtime.ref(Ticker).call('ping')).resolves.toBe('pong');
    const sessions = runtime.dynamicRef(Session);
    await sessions?.startChild(undefined, { key: 'a' });
    await sessions?.startChild(undefined, { key: 'b' });
    const cart = await runtime.startAgent<string[]>('cart', () => []);
    await cart.update((items) => [...items, 'sku-1']);
    let attempts = 0;
    const task = runtime.taskSupervisor().async(
      () => {
        attempts++;
        throw new Error('flaky task');
      },
      { restart: 'transient', backoff: { minMs: HOUR, maxMs: HOUR } },
    );
    const awaited = task.await(HOUR).catch((error: unknown) => error);
    runtime.ref(Flaky).crash(new Error('crashed on purpose'));
    await new Promise((resolve) => setImmediate(resolve));

    expect(attempts).toBe(1);
    expect(runtime.ref(Flaky).info().status).toBe('restarting');
    expect(timers?.pending().length).toBeGreaterThanOrEqual(6);
    expect(listeners()).toEqual(listenersBefore);

    await app.close();
    app = undefined;

    expect(listeners()).toEqual(listenersBefore);
    expect(timers?.pending()).toEqual([]);
    const timersAfter = activeTimers();
    expect(timersAfter.Timeout).toBeLessThanOrEqual(timersBefore.Timeout);
    expect(timersAfter.Immediate).toBeLessThanOrEqual(timersBefore.Immediate);
    // The task was cancelled by the shutdown, and its caller told.
    expect(await awaited).toBeInstanceOf(Error);
  });

  it("with rootGiveUp: 'shutdown' it still adds no listener: it only reads and emits SIGTERM", async () => {
    const listenersBefore = listeners();
    app = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ rootGiveUp: 'shutdown' })],
      providers: [Flaky],
    })
      .setLogger(quiet)
      .compile();
    await app.init();
    // The check for a SIGTERM listener runs one turn after bootstrap.
    await new Promise((resolve) => setImmediate(resolve));
    expect(listeners()).toEqual(listenersBefore);
    await app.close();
    app = undefined;
    expect(listeners()).toEqual(listenersBefore);
  });
});

describe('process safety: the source', () => {
  const root = process.cwd();
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => relative(root, join(entry.parentPath, entry.name)))
      // Specs and their helpers are not part of the build (see tsconfig.build.json).
      .filter((file) => !file.endsWith('.spec.ts') && !file.endsWith('spec-helpers.ts'));

  /** What the library must never do to the process it runs in. */
  const FORBIDDEN: readonly [string, RegExp][] = [
    [
      'registers a process listener',
      /\bprocess\.(on|once|addListener|prependListener|prependOnceListener)\(/,
    ],
    ['changes the listener limit', /\bsetMaxListeners\b/],
    ['assigns a global', /\b(globalThis|global|window)\s*(\.\s*[\w$]+|\[[^\]]+\])\s*=[^=]/],
    [
      'patches a built-in prototype',
      /\b(Object|Array|Promise|Function|Error|String|Number)\.prototype\.[\w$]+\s*=[^=]/,
    ],
    ['changes Error.stackTraceLimit', /\bError\.stackTraceLimit\s*=[^=]/],
  ];

  /**
   * What the library does touch, and why it is allowed: `rootGiveUp: 'shutdown'` (opt-in) reads whether
   * anything listens for SIGTERM, to warn at bootstrap that the app did not `enableShutdownHooks()`, and
   * on a give-up emits SIGTERM so Nest's own shutdown hooks close the app — it adds no listener itself.
   */
  const ALLOWED: readonly { file: string; pattern: RegExp; reason: string }[] = [
    {
      file: 'src/genserver.runtime.ts',
      pattern: /process\.(listenerCount|emit)\('SIGTERM'/,
      reason: "rootGiveUp: 'shutdown' checks for and emits SIGTERM (opt-in; no listener is added)",
    },
  ];

  it('no file of src/ or libs/testing/src registers process handlers or changes global state', () => {
    const files = [...sources('src'), ...sources('libs/testing/src')];
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\*|\/\/)/.test(line)) return; // comments and TSDoc
        for (const [what, pattern] of FORBIDDEN) {
          if (pattern.test(line)) found.push(`${file}:${i + 1} ${what}: ${line.trim()}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  /** Node's process API that acts on the process or its listeners (`this.process` is a ServerProcess). */
  const PROCESS_API =
    /(?<![.\w$])process\.(listenerCount|listeners|rawListeners|emit|off|removeListener|removeAllListeners|exit|exitCode|kill|abort|chdir|umask|setUncaughtExceptionCaptureCallback|setSourceMapsEnabled)\b/;

  it('touches process only where the allow-list says, for the reason it gives', () => {
    const files = [...sources('src'), ...sources('libs/testing/src')];
    const uses: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\*|\/\/)/.test(line) || !PROCESS_API.test(line)) return;
        const allowed = ALLOWED.some((a) => a.file === file && a.pattern.test(line));
        if (!allowed) uses.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(uses).toEqual([]);
  });

  it('the test scripts and jest config use neither --forceExit nor --detectOpenHandles', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const config = readFileSync(join(root, 'jest.config.js'), 'utf8');
    for (const text of [...Object.values(pkg.scripts), config]) {
      expect(text).not.toMatch(/forceExit|detectOpenHandles/);
    }
  });
});
