import { setImmediate } from 'node:timers';
import type { INestApplicationContext, Type } from '@nestjs/common';
import {
  type Duration,
  GenServerRuntime,
  type ManualClock,
  type PeriodicJobInfo,
  PeriodicRegistry,
  type ServerInfo,
  ServerRef,
  type ServerState,
  type SupervisorInfo,
  parseDuration,
} from 'nestjs-genserver';
import type { LifecycleRecorder } from './lifecycle-recorder.js';
import { type BusyServer, NotIdleError } from './not-idle.error.js';
import type { TestingSession } from './testing-session.js';

/** One server of the tree, as the harness reaches it: static, or a dynamic child by key. */
export interface ServerHandle<T extends object> {
  /** Its ref: `call`, `cast`, `withTimeout`… as the application uses it. */
  readonly ref: ServerRef<T>;
  /** A shallow copy of its fields, taken between messages (OTP `:sys.get_state`). */
  getState(): Promise<ServerState<T>>;
  /** Status, mailbox, counts, restarts, last crash. */
  info(): ServerInfo;
  /**
   * Sends any message to its `@HandleInfo` (OTP `send/2`), then waits until the app is idle. Resolves
   * false if its bounded mailbox was full and refused the message (as `ref.send` returns).
   */
  send(message: unknown): Promise<boolean>;
  /** Crashes it with `reason` (see {@link GenServerHarness.crash}). */
  crash(reason?: unknown): Promise<void>;
}

/**
 * Drives an application compiled with `GenServerTesting`: moves its manual clock, waits for its
 * servers, reads and crashes them, starts what did not start at bootstrap, and records every lifecycle
 * event. Get it from `GenServerTesting.start()` or `GenServerTesting.harness(app)`.
 *
 * @example
 * const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [PricesModule] }));
 * await harness.advanceBy('24h');
 * expect((await harness.getState(PriceSync)).runs).toBe(24);
 */
export class GenServerHarness<A extends INestApplicationContext = INestApplicationContext> {
  /** The manual clock every timer of the app runs on. */
  readonly clock: ManualClock;
  /** The app's runtime: refs, snapshot, task supervisors, agents. */
  readonly runtime: GenServerRuntime;
  /** Every lifecycle event since the app was compiled. */
  readonly events: LifecycleRecorder;

  /** @internal Use `GenServerTesting.start()` or `GenServerTesting.harness(app)`. */
  constructor(
    /** The application (or testing module) under test. */
    readonly app: A,
    session: TestingSession,
  ) {
    this.clock = session.clock;
    this.runtime = app.get(GenServerRuntime, { strict: false });
    this.events = session.recorder;
    this.events.nameWith((target) => this.runtime.nameOf(target));
  }

  /** The current time on the manual clock (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /**
   * Moves time forward by `duration` (ms or `'90s'`, `'24h'`…), firing every tick and timer that falls
   * due, in due order, each seeing its own due time; after each, it waits for the handlers it
   * triggered — and what they sent — to finish before the next fires.
   */
  async advanceBy(duration: Duration): Promise<void> {
    await this.clock.advanceByAsync(parseDuration(duration, 'advanceBy()'));
  }

  /** Like {@link advanceBy}, up to a point in time: a Date, epoch ms or an ISO string. */
  async advanceTo(time: Date | number | string): Promise<void> {
    const target =
      typeof time === 'string' ? Date.parse(time) : typeof time === 'number' ? time : time.getTime();
    if (!Number.isFinite(target)) throw new RangeError(`advanceTo() needs a valid time, got ${String(time)}`);
    await this.clock.advanceToAsync(target);
  }

  /**
   * Resolves when every mailbox is empty and no handler is running (servers waiting to be restarted
   * after a backoff wait for time, and do not count). Rejects with {@link NotIdleError} if a handler
   * makes no progress for several event-loop turns: it waits on the manual clock or on a promise
   * nobody settles — it would never become idle.
   */
  async idle(): Promise<void> {
    await this.clock.settle();
    if (this.clock.busyServers === 0) return;
    throw new NotIdleError(busyServers(this.runtime.snapshot().root), this.clock.now());
  }

  /** The ref of a server: a static one, or the dynamic child with `key`. */
  ref<T extends object>(server: Type<T>, key?: string): ServerRef<T> {
    if (key === undefined) {
      if (this.runtime.dynamicRef(server) !== undefined) {
        throw new Error(
          `${server.name} runs as dynamic children: pass the key of one (getState(${server.name}, 'key'))`,
        );
      }
      return this.runtime.ref(server);
    }
    const supervisor = this.runtime.dynamicRef(server);
    if (supervisor === undefined) {
      throw new Error(
        `${server.name} is not run with GenServerModule.forDynamic(); it has no child '${key}'`,
      );
    }
    const child = supervisor.lookup(key);
    if (child === undefined) {
      const keys = supervisor
        .whichChildren()
        .flatMap((c) => (c.key === undefined ? [] : [c.key]))
        .slice(0, 20);
      throw new Error(
        `${server.name} has no child '${key}' (running: ${keys.length === 0 ? 'none' : keys.join(', ')})`,
      );
    }
    return child;
  }

  /** A server as one handle (see {@link ServerHandle}): a static one, or the dynamic child with `key`. */
  server<T extends object>(server: Type<T>, key?: string): ServerHandle<T> {
    const ref = this.ref(server, key);
    return {
      ref,
      getState: () => ref.getState(),
      info: () => ref.info(),
      send: (message) => {
        const queued = ref.send(message);
        return this.idle().then(() => queued);
      },
      crash: (reason) => this.crashRef(ref as ServerRef<never>, reason),
    };
  }

  /** A shallow copy of a server's fields, taken between messages (OTP `:sys.get_state`). */
  getState<T extends object>(server: Type<T>, key?: string): Promise<ServerState<T>> {
    return this.ref(server, key).getState();
  }

  /**
   * A periodic job's schedule and counters — runs, skipped, missed, failures, next and last run — by
   * its name (`'PriceSync.sync'`, `'Game[game-42].autosave'` for a dynamic child's). Throws
   * `JobNotFoundError` listing the known jobs.
   */
  job(name: string): PeriodicJobInfo {
    return this.app.get(PeriodicRegistry, { strict: false }).get(name);
  }

  /** A server's status, mailbox, counts, restarts and last crash. */
  info(server: Type<object>, key?: string): ServerInfo {
    return this.ref(server, key).info();
  }

  /**
   * Sends any message to a static server's `@HandleInfo` (OTP `send/2`) and waits until it is handled
   * (for a dynamic child: `server(Server, key).send(message)`). Resolves false if the server's bounded
   * mailbox refused it.
   */
  send(server: Type<object>, message: unknown): Promise<boolean> {
    return this.server(server).send(message);
  }

  /**
   * Crashes a static server with `reason` (default: an Error saying the test crashed it), as if a
   * handler threw it after the messages already queued — `@Terminate` runs, waiting callers get
   * `ServerCrashedError`, the supervisor restarts it or gives up — and waits for that to play out
   * (a restart delayed by a backoff needs `advanceBy`). Assert with {@link events}.
   */
  crash(server: Type<object>, reason?: unknown): Promise<void> {
    return this.crashRef(this.ref(server) as ServerRef<never>, reason);
  }

  /**
   * Starts what did not start at bootstrap (see the `start` option): the given GenServer or
   * `@Supervised` classes, each with its subtree at its planned place, or — without arguments —
   * everything not started yet.
   */
  async start(...targets: Type<object>[]): Promise<void> {
    if (targets.length === 0) await this.runtime.startLater();
    for (const target of targets) await this.runtime.startLater(target);
    await this.clock.settle();
  }

  /**
   * Closes the application: every server stops (`@Terminate` runs) and every timer is cleared. While
   * the shutdown waits on the manual clock — a handler that never finishes, a slow `@Terminate` — time
   * moves to the next timer (its shutdown timeout), so a stuck server cannot hang the test.
   */
  async close(): Promise<void> {
    let closed = false;
    const closing = this.app.close().finally(() => {
      closed = true;
    });
    while (!closed) {
      await this.clock.settle();
      for (let turn = 0; turn < STILL_TURNS && !closed; turn++) await nextTurn();
      const next = this.clock.nextTimerAt;
      if (closed || next === undefined) break;
      await this.clock.advanceToAsync(Math.max(next, this.clock.now()));
    }
    await closing;
  }

  private async crashRef(ref: ServerRef<never>, reason: unknown): Promise<void> {
    ref.crash(reason ?? new Error(`${ref.name} was crashed by the test`));
    await this.clock.settle();
  }
}

/** Event-loop turns without progress after which `close()` lets time move on. */
const STILL_TURNS = 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Servers of the snapshot with a handler running or messages waiting while running. */
function busyServers(root: SupervisorInfo): BusyServer[] {
  const found: BusyServer[] = [];
  const visit = (node: { readonly type: string; readonly children?: readonly unknown[] }): void => {
    if (node.type === 'server') {
      const info = node as ServerInfo;
      if (info.busy || (info.mailboxLength > 0 && info.status === 'running')) {
        found.push({
          name: info.name,
          ...(info.key !== undefined ? { key: info.key } : {}),
          ...(info.handling !== undefined ? { handling: info.handling } : {}),
          mailboxLength: info.mailboxLength,
        });
      }
      return;
    }
    for (const child of node.children ?? []) visit(child as typeof node);
  };
  visit(root);
  return found;
}
