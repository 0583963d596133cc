import 'reflect-metadata';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { LoggerService, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CallTimeoutError,
  GenServer,
  GenServerModule,
  HandleCall,
  HandleCast,
  Init,
  InitFailedError,
  RestartLimitError,
  ServerCrashedError,
  ServerNotRunningError,
  Supervised,
  type ChildInfo,
  type ExitReason,
  type LifecycleEvent,
  type ManualClock,
  type RestartStrategy,
  type RestartType,
  type ServerInfo,
  type ServerRef,
  type SupervisorInfo,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

/**
 * Chaos: 50 servers in a nested tree take a million mixed calls and casts from 100 concurrent clients
 * while a seeded schedule makes handlers throw, makes `@Init` throw on restarts, hangs handlers past
 * the call timeout and stops servers. Everything runs on the testing kit's manual clock: time moves only
 * when every client waits on it, so a seed always plays out the same way.
 *
 * CHAOS_SEED replays another schedule; CHAOS_MESSAGES scales the run (1,000,000 by default).
 */

const SEED = Number(process.env.CHAOS_SEED ?? 20260305) >>> 0;
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 1_000_000);
const CLIENTS = 100;
const CALL_TIMEOUT = 1000;
/** A hanging handler resumes this long after it started: past its caller's timeout. */
const HANG_MS = 1500;
/** How far the clock moves each time every client waits on it. */
const STEP_MS = 500;
const CALL_SHARE = 0.6;
const P_THROW = 1 / 2500;
const P_HANG = 1 / 25_000;
const P_STOP = 1 / 50_000;
const P_INIT_THROW = 0.15;

/** A tiny seeded PRNG (mulberry32): uniform floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OK = 0;
const THROW = 1;
const HANG = 2;

interface SupervisorPlan {
  readonly name: string;
  readonly strategy: RestartStrategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly restart: RestartType;
}

/** chaos-4 is nested in chaos-0; the others hang off the root. */
const SUPERVISORS: readonly SupervisorPlan[] = [
  { name: 'chaos-0', strategy: 'one_for_one', maxRestarts: 10, withinMs: 1000, restart: 'permanent' },
  { name: 'chaos-1', strategy: 'one_for_all', maxRestarts: 5, withinMs: 1000, restart: 'permanent' },
  { name: 'chaos-2', strategy: 'rest_for_one', maxRestarts: 5, withinMs: 1000, restart: 'transient' },
  { name: 'chaos-3', strategy: 'one_for_one', maxRestarts: 2, withinMs: 1000, restart: 'permanent' },
  { name: 'chaos-4', strategy: 'one_for_one', maxRestarts: 20, withinMs: 1000, restart: 'temporary' },
];
const PER_SUPERVISOR = 10;
const SERVERS = SUPERVISORS.length * PER_SUPERVISOR;
/** Per position under its supervisor: 0–6 permanent, 7–8 transient, 9 temporary. */
const restartOf = (index: number): RestartType => {
  const slot = index % PER_SUPERVISOR;
  return slot < 7 ? 'permanent' : slot < 9 ? 'transient' : 'temporary';
};

/** What the servers share with the test (they are built by Nest DI, so they reach it here). */
const chaos = {
  clock: undefined as ManualClock | undefined,
  initRandom: mulberry32(SEED ^ 0x5eed),
  created: new Int32Array(SERVERS),
  handlerThrows: new Int32Array(SERVERS),
  initThrows: new Int32Array(SERVERS),
  castsEntered: 0,
  hangs: 0,
  /** Bumped by every handler run and every settled call: the driver's sign of life. */
  progress: 0,
};

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => (chaos.clock as ManualClock).setTimer(resolve, ms));

abstract class ChaosServer {
  static index = -1;
  private readonly index = (this.constructor as typeof ChaosServer).index;
  private readonly incarnation = ++chaos.created[this.index];

  @Init()
  init(): void {
    chaos.progress++;
    if (this.incarnation > 1 && chaos.initRandom() < P_INIT_THROW) {
      chaos.initThrows[this.index]++;
      throw new Error(`chaos: @Init of S${this.index} throws`);
    }
  }

  @HandleCall()
  work(id: number, action: number): number | Promise<number> {
    chaos.progress++;
    if (action === THROW) {
      chaos.handlerThrows[this.index]++;
      throw new Error(`chaos: call ${id} throws`);
    }
    if (action === HANG) {
      chaos.hangs++;
      return sleep(HANG_MS).then(() => id);
    }
    return id;
  }

  @HandleCast()
  note(id: number, action: number): void | Promise<void> {
    chaos.progress++;
    chaos.castsEntered++;
    if (action === THROW) {
      chaos.handlerThrows[this.index]++;
      throw new Error(`chaos: cast ${id} throws`);
    }
    if (action === HANG) {
      chaos.hangs++;
      return sleep(HANG_MS);
    }
  }
}

function serverClass(index: number): Type<ChaosServer> {
  const server = class extends ChaosServer {};
  server.index = index;
  Object.defineProperty(server, 'name', { value: `S${index}` });
  GenServer({ name: `S${index}`, restart: restartOf(index) })(server);
  return server;
}

function supervisorClass(plan: SupervisorPlan, children: Type<object>[]): Type<object> {
  const supervisor = class {};
  Object.defineProperty(supervisor, 'name', { value: plan.name });
  Supervised({ ...plan, children })(supervisor);
  return supervisor;
}

/** Counts what the runtime logs (every crash is logged; printing a thousand stacks would be the run). */
class CountingLogger implements LoggerService {
  readonly counts = { log: 0, warn: 0, error: 0 };
  log(): void {
    this.counts.log++;
  }
  warn(): void {
    this.counts.warn++;
  }
  error(): void {
    this.counts.error++;
  }
  debug(): void {}
  verbose(): void {}
}

/**
 * OTP's restart rule for one supervisor, replayed from the lifecycle events: while it runs, each crash
 * of a child it restarts (not `temporary`) is a restart within the intensity window, or — the
 * `maxRestarts + 1`-th within `withinMs` — a give-up. Exact for `one_for_one`; a group strategy also
 * absorbs crashes of members it is already restarting, so there the model only bounds the give-ups.
 * A `gave_up` whose reason is not a `RestartLimitError` is not this rule's: the supervisor was being
 * restarted by its parent and a child's `@Init` threw; it is counted apart. A handler crash while the
 * supervisor is being restarted (a child it already started again) is handled once it runs, as OTP's
 * supervisor reads that exit from its mailbox after `init/1`: it counts at `restarted`, unless the
 * restart fails or the child is stopped for good meanwhile.
 */
class IntensityModel {
  predictedGiveUps = 0;
  observedGiveUps = 0;
  failedRestarts = 0;
  counted = 0;
  maxInWindow = 0;
  /** The tree runs when the model starts listening. */
  private live = true;
  private window: number[] = [];
  /** Children (by index) that crashed while the supervisor was being restarted, in crash order. */
  private deferred = new Set<number>();

  constructor(readonly plan: SupervisorPlan) {}

  onSupervisor(event: LifecycleEvent): void {
    if (event.type === 'started' || event.type === 'restarted') {
      this.live = true;
      this.window = [];
      const deferred = [...this.deferred];
      this.deferred.clear();
      for (const index of deferred) this.onChildCrash(event.at, index, restartOf(index));
    } else if (event.type === 'gave_up') {
      this.deferred.clear();
      const reason = event.reason;
      if (typeof reason !== 'string' && reason?.error instanceof RestartLimitError) this.observedGiveUps++;
      else this.failedRestarts++;
      this.live = false;
    } else if (event.type === 'stopped') this.live = false;
  }

  onChildCrash(at: number, index: number, restart: RestartType, reason?: ExitReason): void {
    if (restart === 'temporary') return;
    if (!this.live) {
      // While it is not running only a child it already started again can crash in a handler.
      if (typeof reason !== 'string' && reason !== undefined && !(reason.error instanceof InitFailedError)) {
        this.deferred.add(index);
      }
      return;
    }
    const window = this.window.filter((t) => at - t < this.plan.withinMs);
    if (window.length >= this.plan.maxRestarts) {
      this.predictedGiveUps++;
      this.live = false;
      return;
    }
    window.push(at);
    this.window = window;
    this.counted++;
    this.maxInWindow = Math.max(this.maxInWindow, window.length);
  }

  /** Child `index` stopped for good: a crash of it still waiting to be handled is dropped. */
  onChildStopped(index: number): void {
    this.deferred.delete(index);
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function heapUsed(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function walk(node: ChildInfo, visit: (node: ChildInfo, parent: SupervisorInfo | undefined) => void): void {
  const go = (n: ChildInfo, parent: SupervisorInfo | undefined): void => {
    visit(n, parent);
    if (n.type === 'supervisor') for (const child of n.children) go(child, n);
  };
  go(node, undefined);
}

describe(`chaos (seed ${SEED}, ${MESSAGES} messages)`, () => {
  // Under Jest the sandbox's `process` never receives 'unhandledRejection' (Jest 30 fails the running test
  // on one itself, which covers this run); the listener covers runners that do deliver the event.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('every call settles once, every cast is handled or counted, supervisors keep the rules, no leak', async () => {
    const servers = Array.from({ length: SERVERS }, (_, i) => serverClass(i));
    const group = (s: number): Type<object>[] => servers.slice(s * PER_SUPERVISOR, (s + 1) * PER_SUPERVISOR);
    const nested = supervisorClass(SUPERVISORS[4], group(4));
    const supervisors = [
      supervisorClass(SUPERVISORS[0], [...group(0), nested]),
      supervisorClass(SUPERVISORS[1], group(1)),
      supervisorClass(SUPERVISORS[2], group(2)),
      supervisorClass(SUPERVISORS[3], group(3)),
      nested,
    ];
    const logger = new CountingLogger();
    const harness: GenServerHarness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [
          GenServerModule.forRoot({ callTimeout: CALL_TIMEOUT, maxRestarts: 10_000, withinMs: 1000 }),
        ],
        providers: [...servers, ...supervisors],
      }).setLogger(logger),
    );
    chaos.clock = harness.clock;
    const refs = servers.map((server) => harness.ref(server));
    const stoppable = refs.filter((_, i) => restartOf(i) !== 'permanent');

    // The supervisors' rules, replayed online from the events (nothing is kept per event).
    const models = new Map(SUPERVISORS.map((plan) => [plan.name, new IntensityModel(plan)]));
    const parentOf = (name: string): IntensityModel | undefined => {
      if (name === 'chaos-4') return models.get('chaos-0');
      const index = Number(name.slice(1));
      return models.get(SUPERVISORS[Math.floor(index / PER_SUPERVISOR)].name);
    };
    const crashEvents = new Int32Array(SERVERS);
    const figures = { restarts: 0, supervisorRestarts: 0, giveUps: 0, rootGaveUp: false };
    let modelling = true;
    const subscription = harness.runtime.events$.subscribe((event) => {
      if (event.kind === 'supervisor') {
        if (event.type === 'gave_up') figures.giveUps++;
        if (event.type === 'restarted') figures.supervisorRestarts++;
        if (event.name === 'root' && event.type === 'gave_up') figures.rootGaveUp = true;
        if (modelling) models.get(event.name)?.onSupervisor(event);
        return;
      }
      const index = Number(event.name.slice(1));
      if (event.type === 'restarted') figures.restarts++;
      if (event.type === 'stopped' && modelling) parentOf(event.name)?.onChildStopped(index);
      if (event.type !== 'crashed') return;
      crashEvents[index]++;
      if (modelling) parentOf(event.name)?.onChildCrash(event.at, index, restartOf(index), event.reason);
    });

    // The clients' bookkeeping, allocated before the heap is measured.
    const settles = new Uint8Array(MESSAGES);
    const calls = { sent: 0, ok: 0, wrongReply: 0, crashed: 0, timedOut: 0, notRunning: 0, other: 0 };
    const casts = { sent: 0, accepted: 0, refused: 0, other: 0 };
    const stops = { sent: 0, failed: 0 };
    const unexpected: unknown[] = [];
    let callIds = 0;

    await harness.idle();
    harness.events.clear();
    const heapBefore = heapUsed();

    const client = async (c: number, count: number): Promise<void> => {
      const random = mulberry32((SEED + Math.imul(c + 1, 0x9e3779b9)) >>> 0);
      for (let k = 0; k < count; k++) {
        const roll = random();
        if (roll < P_STOP) {
          stops.sent++;
          const target = stoppable[Math.floor(random() * stoppable.length)];
          void target.stop('normal').then(undefined, () => void stops.failed++);
          continue;
        }
        const target = refs[Math.floor(random() * SERVERS)] as ServerRef<ChaosServer>;
        const fate = random();
        const action = fate < P_THROW ? THROW : fate < P_THROW + P_HANG ? HANG : OK;
        if (random() < CALL_SHARE) {
          const id = callIds++;
          calls.sent++;
          await target.call('work', id, action).then(
            (reply) => {
              settles[id]++;
              chaos.progress++;
              if (reply === id) calls.ok++;
              else calls.wrongReply++;
            },
            (error: unknown) => {
              settles[id]++;
              chaos.progress++;
              if (error instanceof ServerCrashedError) calls.crashed++;
              else if (error instanceof CallTimeoutError) calls.timedOut++;
              else if (error instanceof ServerNotRunningError) calls.notRunning++;
              else {
                calls.other++;
                if (unexpected.length < 5) unexpected.push(error);
              }
            },
          );
        } else {
          casts.sent++;
          try {
            target.cast('note', k, action);
            casts.accepted++;
          } catch (error) {
            if (error instanceof ServerNotRunningError) casts.refused++;
            else {
              casts.other++;
              if (unexpected.length < 5) unexpected.push(error);
            }
          }
        }
      }
    };

    const started = performance.now();
    let running = CLIENTS;
    const per = Math.floor(MESSAGES / CLIENTS);
    for (let c = 0; c < CLIENTS; c++) {
      void client(c, c === 0 ? MESSAGES - per * (CLIENTS - 1) : per).finally(() => void running--);
    }
    // Drive time: whenever no client, server or reply made progress for a few turns, everyone waits on
    // the clock (a hung handler, a call timeout, a restart): move it.
    let rounds = 0;
    while (running > 0) {
      let seen = -1;
      for (let still = 0; still < 3 && running > 0;) {
        await nextTurn();
        if (chaos.progress === seen) still++;
        else {
          seen = chaos.progress;
          still = 0;
        }
      }
      if (running === 0) break;
      harness.clock.advanceBy(STEP_MS);
      if (++rounds > 100_000)
        throw new Error(`chaos: ${running} client(s) still blocked after ${rounds} rounds`);
      harness.events.clear();
    }
    // Let restarts, hung handlers and their timeouts play out.
    await harness.advanceBy(5 * HANG_MS);
    const runMs = performance.now() - started;
    modelling = false;

    // Healthy servers still answer; given-up supervisors' children are stopped.
    const snapshot = harness.runtime.snapshot();
    const stuck: string[] = [];
    const notStopped: string[] = [];
    const running_: ServerRef<ChaosServer>[] = [];
    walk(snapshot.root, (node, parent) => {
      if (node.type !== 'server' || parent === undefined) return;
      const server = node as ServerInfo;
      if (parent.status === 'gave_up' || parent.status === 'stopped') {
        if (server.status !== 'stopped' && server.status !== 'failed') notStopped.push(server.name);
      } else if (parent.status === 'running' && restartOf(Number(server.name.slice(1))) === 'permanent') {
        if (server.status !== 'running') stuck.push(`${server.name} (${server.status} under ${parent.name})`);
      }
      if (server.status === 'running')
        running_.push(refs[Number(server.name.slice(1))] as ServerRef<ChaosServer>);
    });
    const answers = await Promise.all(running_.map((ref, i) => ref.call('work', -1 - i, OK)));
    expect(answers).toEqual(running_.map((_, i) => -1 - i));

    harness.events.clear();
    const heapAfter = heapUsed();
    await harness.close();
    subscription.unsubscribe();

    // Casts: each accepted one was handled (its handler ran) or is counted as dropped by its server.
    const infos = refs.map((ref) => ref.info());
    const dropped = infos.reduce((sum, info) => sum + info.dropped, 0);
    const injected = {
      handlerThrows: chaos.handlerThrows.reduce((a, b) => a + b, 0),
      initThrows: chaos.initThrows.reduce((a, b) => a + b, 0),
    };
    const never = settles.slice(0, callIds).filter((n) => n === 0).length;
    const twice = settles.slice(0, callIds).filter((n) => n > 1).length;

    const report = {
      seed: SEED,
      messages: MESSAGES,
      runMs: Math.round(runMs),
      clockRounds: rounds,
      calls: {
        ...calls,
        settled:
          calls.ok + calls.wrongReply + calls.crashed + calls.timedOut + calls.notRunning + calls.other,
      },
      casts: { ...casts, handled: chaos.castsEntered, dropped },
      crashesInjected: { ...injected, hangs: chaos.hangs, stops: stops.sent },
      restarts: figures.restarts,
      supervisorRestarts: figures.supervisorRestarts,
      giveUps: figures.giveUps,
      model: [...models.values()].map((m) => ({
        name: m.plan.name,
        strategy: m.plan.strategy,
        restartsCounted: m.counted,
        maxInWindow: `${m.maxInWindow}/${m.plan.maxRestarts}`,
        giveUps: `${m.observedGiveUps} (model ${m.predictedGiveUps})`,
        failedRestarts: m.failedRestarts,
      })),
      heap:
        heapBefore === undefined || heapAfter === undefined
          ? 'skipped (run node with --expose-gc)'
          : `${mb(heapBefore)} before, ${mb(heapAfter)} after`,
      logged: logger.counts,
    };
    console.log(`chaos report\n${JSON.stringify(report, null, 2)}`);

    expect(unexpected).toEqual([]);
    expect(unhandled).toEqual([]);
    // Every call settled exactly once, with its own reply when it succeeded.
    expect(calls.sent).toBe(callIds);
    expect({ never, twice, wrongReply: calls.wrongReply }).toEqual({ never: 0, twice: 0, wrongReply: 0 });
    expect(report.calls.settled).toBe(calls.sent);
    expect(calls.sent + casts.sent + stops.sent).toBe(MESSAGES);
    expect(casts.accepted + casts.refused).toBe(casts.sent);
    expect(chaos.castsEntered + dropped).toBe(casts.accepted);
    expect(stops.failed).toBe(0);
    // Every injected crash was a crash, reported once.
    for (let i = 0; i < SERVERS; i++) {
      expect([`S${i}`, crashEvents[i]]).toEqual([`S${i}`, chaos.handlerThrows[i] + chaos.initThrows[i]]);
    }
    // Restarts stay within each supervisor's intensity; give-ups happen exactly when the rule says.
    for (const model of models.values()) {
      expect(model.maxInWindow).toBeLessThanOrEqual(model.plan.maxRestarts);
      if (model.plan.strategy === 'one_for_one') {
        expect([model.plan.name, model.observedGiveUps]).toEqual([model.plan.name, model.predictedGiveUps]);
      } else {
        expect(model.observedGiveUps).toBeLessThanOrEqual(model.predictedGiveUps);
      }
    }
    expect(figures.rootGaveUp).toBe(false);
    expect(snapshot.healthy).toBe(true);
    expect(notStopped).toEqual([]);
    expect(stuck).toEqual([]);
    // The chaos did happen.
    expect(injected.handlerThrows).toBeGreaterThan(0);
    expect(figures.restarts).toBeGreaterThan(0);
    if (heapBefore === undefined || heapAfter === undefined) {
      console.warn('chaos: heap check skipped: global.gc is unavailable (run node with --expose-gc)');
    } else {
      expect(heapAfter - heapBefore).toBeLessThan(Math.max(4 * 2 ** 20, heapBefore * 0.1));
    }
  }, 120_000);
});
