import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Mutex } from 'async-mutex';
import { measure } from 'mitata';
import {
  DrainScheduler,
  GenServerModule,
  GenServerRuntime,
  ServerProcess,
  type ServerRef,
} from 'nestjs-genserver';
import { formatBootstrap, measureBootstrap } from './bootstrap.js';
import { manyClients, oneCallEach } from './concurrency.js';
import { Counter } from './counter.js';
import { counterActor, incrementActor } from './counter-machine.js';
import { HandMailbox } from './hand-mailbox.js';
import { SMOKE, sampling, size, verdict } from './mode.js';
import { measurePeriodic, type PeriodicFigures } from './periodic.js';
import { measureSupervision, type SupervisionFigures } from './supervision.js';
import { formatTasks, measureTasks } from './tasks.js';

/**
 * One run, every figure against baselines measured in the same run: a direct method call (the floor)
 * and a hand-written mailbox (the baseline), next to what a Node developer would reach for instead
 * (async-mutex, an xstate actor). Prints a Markdown table; writes JSON to bench/results.json (smoke
 * mode, see mode.ts: to a temporary file).
 */

/** Which hand-mailbox row a row is read against. */
type Group = 'call' | 'concurrent' | 'cast' | 'clients' | 'servers';

interface Row {
  name: string;
  group: Group;
  /** Medians over the rounds (see measureGroup); `vsHand` is the median of the rounds' ratios. */
  p50: number;
  p99: number;
  /** The p50 of each round. */
  p50Rounds: number[];
  vsHand?: number;
  note?: string;
}

const BATCH = size(1000, 10);
/** Many clients, one server: callers at once, each making this many calls one after another. */
const CLIENTS = size(100, 5);
const CALLS_EACH = size(10, 2);
/** Many servers, one client each. */
const SERVERS = size(10_000, 10);
const rows: Row[] = [];

/** One contender of a group: `fn` is one iteration, of `ops` operations (the figures are per operation). */
interface Case {
  name: string;
  fn: () => unknown;
  ops?: number;
}

/** Rounds per group, interleaved; each round starts one case later. */
const ROUNDS = size(11, 1);

/**
 * Measures a group of contenders in `ROUNDS` short interleaved rounds (each round starting one case later),
 * at least 30 ms and 12 samples per case and round (a sample of a fast case is a batch of 256 calls, not
 * mitata's 4096, so a round stays short), and keeps the median of the rounds' p50 and p99. This VM
 * has slow stretches of a few seconds in which everything takes up to twice as long; a round of a group
 * takes a fraction of a second, so a stretch slows every contender of the rounds it spans alike, and the
 * ratio to the hand mailbox is taken round by round (see `vsHand` in main).
 */
async function measureGroup(group: Group, cases: Case[]): Promise<Row[]> {
  const p50s = cases.map((): number[] => []);
  const p99s = cases.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < cases.length; j++) {
      const i = (j + round) % cases.length;
      const { fn, ops = 1 } = cases[i];
      const stats = await measure(fn, sampling(30e6, 12, round === 0 ? 50 : 3, 256) as never);
      p50s[i].push(stats.p50 / ops);
      p99s[i].push(stats.p99 / ops);
    }
  }
  const out = cases.map((c, i): Row => ({
    name: c.name,
    group,
    p50: median(p50s[i]),
    p99: median(p99s[i]),
    p50Rounds: p50s[i],
  }));
  rows.push(...out);
  return out;
}

function newProcess(scheduler?: DrainScheduler): ServerProcess<Counter> {
  const process = new ServerProcess<Counter>(
    {
      name: 'BenchCounter',
      create: () => new Counter(),
      calls: { increment: Counter.prototype.increment, hold: Counter.prototype.hold },
      casts: { add: Counter.prototype.add },
    },
    { scheduler },
  );
  return process;
}

@Module({ imports: [GenServerModule.forRoot()], providers: [Counter] })
class BenchModule {}

/** The same counter class as dynamic children (one per entity, as `forDynamic` is used). */
@Module({ imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(Counter)] })
class ManyModule {}

async function main(): Promise<void> {
  const direct = new Counter();
  const hand = new HandMailbox(new Counter());
  const process = newProcess();
  await process.start();
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const ref: ServerRef<Counter> = app.get(GenServerRuntime).ref(Counter);
  // async-mutex around a plain counter; the callbacks are made once, so a call allocates only what
  // runExclusive does.
  const mutex = new Mutex();
  const locked = new Counter();
  const mutexIncrement = () => locked.increment(1);
  const mutexAdd = () => locked.add(1);
  const actor = counterActor();
  const ADD = { type: 'add', by: 1 } as const;

  const ARGS = [1];
  // Latency: one call at a time, awaited.
  const [floor, , , , rtCall, refCall] = await measureGroup('call', [
    { name: 'direct `await obj.increment(1)` (floor)', fn: async () => await direct.increment(1) },
    { name: 'hand mailbox call (baseline)', fn: () => hand.call('increment', ARGS) },
    {
      name: 'async-mutex `runExclusive(() => counter.increment(1))`',
      fn: () => mutex.runExclusive(mutexIncrement),
    },
    { name: 'xstate actor, `increment` event with a `reply` resolver', fn: () => incrementActor(actor, 1) },
    { name: 'runtime ServerProcess.call', fn: () => process.call('increment', ARGS) },
    { name: 'Nest ServerRef.call', fn: () => ref.call('increment', 1) },
  ]);

  // Throughput: 1000 calls in flight, then awaited together.
  const batch = (call: () => Promise<unknown>) => () => {
    const all = new Array<Promise<unknown>>(BATCH);
    for (let i = 0; i < BATCH; i++) all[i] = call();
    return Promise.all(all);
  };
  const [, , , rtBatch, refBatch] = await measureGroup('concurrent', [
    {
      name: `hand mailbox call ×${BATCH} concurrent (per call)`,
      fn: batch(() => hand.call('increment', ARGS)),
      ops: BATCH,
    },
    {
      name: `async-mutex runExclusive ×${BATCH} concurrent (per call)`,
      fn: batch(() => mutex.runExclusive(mutexIncrement)),
      ops: BATCH,
    },
    {
      name: `xstate actor request ×${BATCH} concurrent (per call)`,
      fn: batch(() => incrementActor(actor, 1)),
      ops: BATCH,
    },
    {
      name: `runtime call ×${BATCH} concurrent (per call)`,
      fn: batch(() => process.call('increment', ARGS)),
      ops: BATCH,
    },
    {
      name: `ServerRef call ×${BATCH} concurrent (per call)`,
      fn: batch(() => ref.call('increment', 1)),
      ops: BATCH,
    },
  ]);

  // Casts: enqueue + drain, 1000 per iteration.
  const castBatch = (cast: () => void, flush: () => Promise<unknown>) => () => {
    for (let i = 0; i < BATCH; i++) cast();
    return flush();
  };
  const [, , , rtCast] = await measureGroup('cast', [
    {
      name: `hand mailbox cast ×${BATCH} + drain (per cast)`,
      fn: castBatch(
        () => hand.cast('add', ARGS),
        () => hand.call('increment', ARGS),
      ),
      ops: BATCH,
    },
    {
      name: `async-mutex runExclusive not awaited ×${BATCH} + drain (per cast)`,
      fn: castBatch(
        () => void mutex.runExclusive(mutexAdd),
        () => mutex.runExclusive(mutexIncrement),
      ),
      ops: BATCH,
    },
    {
      name: `xstate \`actor.send\` ×${BATCH} + drain (per cast)`,
      fn: castBatch(
        () => actor.send(ADD),
        () => incrementActor(actor, 1),
      ),
      ops: BATCH,
    },
    {
      name: `runtime cast ×${BATCH} + drain (per cast)`,
      fn: castBatch(
        () => process.cast('add', ARGS),
        () => process.call('increment', ARGS),
      ),
      ops: BATCH,
    },
    {
      name: `ServerRef cast ×${BATCH} + drain (per cast)`,
      fn: castBatch(
        () => ref.cast('add', 1),
        () => ref.call('increment', 1),
      ),
      ops: BATCH,
    },
  ]);

  // Cast cost with N messages already queued (the server is held busy so nothing drains). Right after the
  // cast rows, as before the many-servers group: the 40,000 servers that group frees leave the collector
  // sweeping for a while, which read as 1.7x on the first (1,000) row.
  // Three interleaved rounds, samples pooled per size: a single pass per size read the first size up to
  // 1.8x slower than the others in some runs and not in others (the heap's state after the previous pass,
  // not the queue's length: the same size measured again later read as fast as the rest).
  await castWithQueued(size(1_000, 10)); // warm-up: a first pass measures the JIT, not the mailbox
  const sizes = size([1_000, 100_000, 1_000_000], [10, 100, 1000]);
  const pooled = sizes.map((n): Samples => ({ queued: n, ours: [], theirs: [], drains: [] }));
  for (let round = 0; round < size(3, 1); round++) {
    for (const pool of pooled) await castWithQueued(pool);
  }
  const queued: Queued[] = pooled.map((pool) => ({
    queued: pool.queued,
    enqueueNs: median(pool.ours),
    drainNs: median(pool.drains),
    handEnqueueNs: median(pool.theirs),
  }));
  const flatness = Math.max(...queued.map((q) => q.enqueueNs)) / Math.min(...queued.map((q) => q.enqueueNs));

  // Many clients, one server: each client awaits its reply before its next call.
  const clients = `${CLIENTS} clients × ${CALLS_EACH} calls in sequence (per call)`;
  const [, rtClients, refClients] = await measureGroup('clients', [
    {
      name: `hand mailbox, ${clients}`,
      fn: manyClients(() => hand.call('increment', ARGS), CLIENTS, CALLS_EACH),
      ops: CLIENTS * CALLS_EACH,
    },
    {
      name: `runtime ServerProcess.call, ${clients}`,
      fn: manyClients(() => process.call('increment', ARGS), CLIENTS, CALLS_EACH),
      ops: CLIENTS * CALLS_EACH,
    },
    {
      name: `Nest ServerRef.call, ${clients}`,
      fn: manyClients(() => ref.call('increment', 1), CLIENTS, CALLS_EACH),
      ops: CLIENTS * CALLS_EACH,
    },
  ]);
  actor.stop();
  await app.close();

  // Many servers, one client each: one call to every server, all in flight at once.
  const [, rtServers, , refServers] = await manyServers();

  // Each row against the hand mailbox of its group (the first row of the group that is not the floor):
  // the median over the rounds of the two p50s' ratio within the round.
  const hands = new Map<Group, Row>();
  for (const row of rows) if (row !== floor && !hands.has(row.group)) hands.set(row.group, row);
  const vsHand = (row: Row): number => {
    const hand = (hands.get(row.group) as Row).p50Rounds;
    return median(row.p50Rounds.map((p50, r) => p50 / hand[r]));
  };
  for (const row of rows) row.vsHand = vsHand(row);
  floor.note = 'no mailbox at all';

  await process.stop();

  const bootstrap = await measureBootstrap();
  const supervision = await measureSupervision();
  const { restart, dynamic, idle } = supervision;
  const tasks = await measureTasks();
  const periodic = await measurePeriodic();

  const targets = {
    runtimeCallVsHand: { value: vsHand(rtCall), target: 1.5 },
    runtimeConcurrentCallVsHand: { value: vsHand(rtBatch), target: 1.5 },
    serverRefCallVsHand: { value: vsHand(refCall), target: 2 },
    serverRefConcurrentCallVsHand: { value: vsHand(refBatch), target: 2 },
    runtimeManyClientsVsHand: { value: vsHand(rtClients), target: 1.5 },
    serverRefManyClientsVsHand: { value: vsHand(refClients), target: 2 },
    runtimeManyServersVsHand: { value: vsHand(rtServers), target: 1.5 },
    serverRefManyServersVsHand: { value: vsHand(refServers), target: 2 },
    runtimeCastVsHand: { value: vsHand(rtCast), target: 1.5 },
    castFlatness1kTo1M: { value: flatness, target: 1.5 },
  };
  const absolute = {
    restartP50Us: { value: restart.p50Us, target: 10, unit: 'µs' },
    restartP99Us: { value: restart.p99Us, target: 50, unit: 'µs' },
    dynamicStartNs: { value: dynamic.startNs, target: 1000, unit: 'ns' },
    dynamicBytesPerIdleChild: { value: dynamic.bytesPerChild, target: 400, unit: 'B' },
    idleCpuMsOver5s: { value: Math.max(0, idle.cpuMs - idle.baselineCpuMs), target: 50, unit: 'ms' },
  };
  const periodicTargets = {
    fixedRateDriftOver1000TicksMs: {
      value: Math.abs(periodic.tenMs.fixedRate.driftOverRunMs),
      target: 1,
      strict: true,
      unit: 'ms',
    },
    fixedRateLastTickVsGridMs: {
      value: Math.abs(periodic.tenMs.fixedRate.driftVsGridMs ?? NaN),
      target: 1,
      strict: true,
      unit: 'ms',
    },
    fixedRateJitterP99Ms: {
      value: periodic.tenMs.fixedRate.jitterP99Ms,
      target: 2,
      strict: false,
      unit: 'ms',
    },
    manyFixedRateDriftOverRunP99Ms: {
      value: periodic.many.fixedRate.driftOverRunP99Ms,
      target: 1,
      strict: true,
      unit: 'ms',
    },
    manyFixedRateJitterP99Ms: {
      value: periodic.many.fixedRate.jitterP99Ms,
      target: 2,
      strict: false,
      unit: 'ms',
    },
  };
  print(queued, targets);
  console.log(formatBootstrap(bootstrap));
  printSupervision(supervision, absolute);
  console.log(formatTasks(tasks));
  printPeriodic(periodic, periodicTargets);
  const results = SMOKE
    ? join(tmpdir(), 'nestjs-genserver-bench-smoke.json')
    : new URL('../../bench/results.json', import.meta.url);
  writeFileSync(
    results,
    JSON.stringify(
      {
        node: process_version(),
        date: new Date().toISOString(),
        smoke: SMOKE,
        rows,
        queued,
        targets,
        bootstrap,
        supervision,
        absolute,
        tasks,
        periodic: { ...periodic, targets: periodicTargets },
      },
      null,
      2,
    ),
  );
  if (SMOKE) console.log(`\nSmoke run: JSON written to ${results}; bench/results.json left as it was.`);
}

/**
 * Many servers, one client each: `SERVERS` hand mailboxes (each around its own counter), `SERVERS`
 * started `ServerProcess`es as `new ServerProcess(spec)` makes them (on the runtime's default scheduler,
 * shared by all), `SERVERS` given a `DrainScheduler` each (the runtime's default before 0.1: each server
 * schedules a run of its own, as each hand mailbox does), and `SERVERS` dynamic children of one
 * `forDynamic` class in a Nest app (one scheduler per app), reached through their `ServerRef`s. All of
 * them are alive through the whole group, so every contender is measured on the same heap. Every
 * iteration sends one call to each server, all in flight.
 */
async function manyServers(): Promise<Row[]> {
  const ARGS = [1];
  const n = SERVERS.toLocaleString('en');
  const hands = Array.from({ length: SERVERS }, () => new HandMailbox(new Counter()));
  const byDefault = Array.from({ length: SERVERS }, () => newProcess());
  const own = Array.from({ length: SERVERS }, () => newProcess(new DrainScheduler()));
  await Promise.all([...byDefault, ...own].map((p) => p.start()));
  const app = await NestFactory.createApplicationContext(ManyModule, { logger: false });
  const games = app.get(GenServerRuntime).dynamicRef(Counter);
  if (games === undefined) throw new Error('bench: no dynamic supervisor for Counter');
  const refs: ServerRef<Counter>[] = [];
  for (let i = 0; i < SERVERS; i++) refs.push(await games.startChild());

  const call = (p: ServerProcess<Counter>) => p.call('increment', ARGS);
  const group = await measureGroup('servers', [
    {
      name: `hand mailbox ×${n} servers, one call each (per call)`,
      fn: oneCallEach(hands, (h) => h.call('increment', ARGS)),
      ops: SERVERS,
    },
    {
      name: `runtime ServerProcess.call ×${n} servers, default scheduler (per call)`,
      fn: oneCallEach(byDefault, call),
      ops: SERVERS,
    },
    {
      name: `runtime ServerProcess.call ×${n} servers, a scheduler each (per call)`,
      fn: oneCallEach(own, call),
      ops: SERVERS,
    },
    {
      name: `Nest ServerRef.call ×${n} dynamic children, one call each (per call)`,
      fn: oneCallEach(refs, (r) => r.call('increment', 1)),
      ops: SERVERS,
    },
  ]);
  await Promise.all([...byDefault, ...own].map((p) => p.stop()));
  await app.close();
  return group;
}

interface Queued {
  queued: number;
  enqueueNs: number;
  drainNs: number;
  handEnqueueNs: number;
}

/** Cast samples (ns per message) for one queue length, pooled over rounds. */
interface Samples {
  queued: number;
  ours: number[];
  theirs: number[];
  drains: number[];
}

/**
 * Cast cost with `n` messages already waiting, added to `into`'s samples. Before every timed sample the server is parked on a
 * call and its mailbox refilled to exactly `n` (untimed, then a GC), `M` casts are timed, and the
 * mailbox is drained (timed separately). The hand mailbox gets the same treatment as the baseline.
 */
async function castWithQueued(into: Samples | number): Promise<void> {
  const pool: Samples = typeof into === 'number' ? { queued: into, ours: [], theirs: [], drains: [] } : into;
  const n = pool.queued;
  const M = size(10_000, 100);
  const SAMPLES = size(n >= 1_000_000 ? 3 : 7, 3);
  const p = newProcess();
  await p.start();
  const hand = new HandMailbox(new Counter());
  const args = [1];
  const { ours, theirs, drains } = pool;
  for (let s = 0; s < SAMPLES; s++) {
    let release!: () => void;
    Counter.gate = new Promise<void>((resolve) => (release = resolve));
    const held = p.call('hold', [], Infinity);
    const handHeld = hand.call('hold', []);
    for (let i = 0; i < n; i++) p.cast('add', args);
    for (let i = 0; i < n; i++) hand.cast('add', args);
    globalThis.gc?.();
    let t0 = performance.now();
    for (let i = 0; i < M; i++) p.cast('add', args);
    ours.push(((performance.now() - t0) * 1e6) / M);
    t0 = performance.now();
    for (let i = 0; i < M; i++) hand.cast('add', args);
    theirs.push(((performance.now() - t0) * 1e6) / M);
    t0 = performance.now();
    release();
    await held;
    await p.call('increment', [0], Infinity);
    drains.push(((performance.now() - t0) * 1e6) / (n + M));
    await handHeld;
    await hand.call('increment', [0]);
  }
  await p.stop();
  Counter.gate = undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function process_version(): string {
  return `${globalThis.process.version} ${globalThis.process.arch}`;
}

function fmt(ns: number): string {
  return ns < 10 ? ns.toFixed(2) : ns < 1000 ? ns.toFixed(1) : ns.toFixed(0);
}

function print(queued: Queued[], targets: Record<string, { value: number; target: number }>): void {
  const out: string[] = [];
  out.push(`# nestjs-genserver bench — ${process_version()}, ${new Date().toISOString()}`, '');
  if (SMOKE) {
    out.push(
      '**SMOKE RUN** (`--smoke` / `BENCH_SMOKE=1`): every case with tiny sizes and sample times. The figures',
      'mean nothing and no target is judged.',
      '',
    );
  }
  out.push('| case | p50 ns/op | p99 ns/op | × hand mailbox |', '|---|---:|---:|---:|');
  for (const r of rows)
    out.push(`| ${r.name} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.vsHand?.toFixed(2) ?? ''} |`);
  out.push(
    '',
    '| messages already queued | runtime cast ns/msg | hand mailbox cast ns/msg | × hand | runtime drain ns/msg |',
    '|---:|---:|---:|---:|---:|',
  );
  for (const q of queued) {
    const vs = (q.enqueueNs / q.handEnqueueNs).toFixed(2);
    const n = q.queued.toLocaleString('en');
    out.push(`| ${n} | ${fmt(q.enqueueNs)} | ${fmt(q.handEnqueueNs)} | ${vs} | ${fmt(q.drainNs)} |`);
  }
  out.push('', '| target | measured | limit | ok |', '|---|---:|---:|:-:|');
  for (const [name, t] of Object.entries(targets)) {
    out.push(`| ${name} | ${t.value.toFixed(2)}× | ≤ ${t.target}× | ${verdict(t.value <= t.target)} |`);
  }
  console.log(out.join('\n'));
}

await main();

function printSupervision(
  s: SupervisionFigures,
  targets: Record<string, { value: number; target: number; unit: string }>,
): void {
  const out = [
    '',
    '### Supervision',
    '',
    '| measure | value | baseline (same run) |',
    '|---|---:|---|',
    `| crash → restarted instance answers, p50 | ${s.restart.p50Us.toFixed(2)} µs | plain call round trip p50 ${s.restart.callP50Us.toFixed(2)} µs (${(s.restart.p50Us / s.restart.callP50Us).toFixed(1)}×) |`,
    `| crash → restarted instance answers, p99 | ${s.restart.p99Us.toFixed(2)} µs | |`,
    `| start a dynamic child (${s.dynamic.children.toLocaleString('en')} children) | ${s.dynamic.startNs.toFixed(0)} ns | |`,
    `| start a dynamic child under a key | ${s.dynamic.startKeyedNs.toFixed(0)} ns | |`,
    `| heap per idle dynamic child, beyond the user's fields | ${s.dynamic.bytesPerChild.toFixed(0)} B | a plain instance with the same fields: ${s.dynamic.plainObjectBytes.toFixed(0)} B |`,
    `| heap per dynamic child after one call | ${s.dynamic.bytesAfterCall.toFixed(0)} B | |`,
    `| CPU of ${s.idle.servers.toLocaleString('en')} idle servers over ${s.idle.seconds} s | ${s.idle.cpuMs.toFixed(1)} ms | no servers, same ${s.idle.seconds} s: ${s.idle.baselineCpuMs.toFixed(1)} ms |`,
    '',
    '| target | measured | limit | ok |',
    '|---|---:|---:|:-:|',
  ];
  for (const [name, t] of Object.entries(targets)) {
    out.push(
      `| ${name} | ${t.value.toFixed(2)} ${t.unit} | ≤ ${t.target} ${t.unit} | ${verdict(t.value <= t.target)} |`,
    );
  }
  console.log(out.join('\n'));
}

function printPeriodic(
  p: PeriodicFigures,
  targets: Record<string, { value: number; target: number; strict: boolean; unit: string }>,
): void {
  const ms = (v: number | undefined): string => (v === undefined ? '' : `${v.toFixed(2)} ms`);
  const t = p.tenMs;
  const m = p.many;
  const lost = (s: { skipped?: number; missed?: number }): string =>
    s.skipped === undefined ? '' : `${s.skipped} / ${s.missed}`;
  const out = [
    '',
    '### Periodic work',
    '',
    `Real clock (SystemClock); tick times: ${p.timeSource}.`,
    '',
    `${t.ticks} ticks of ${t.periodMs} ms, each handler busy for ${t.workMs} ms; the three run one after ` +
      `another, each alone (${t.windowS.toFixed(1)} s in all; Date.now() vs performance clock moved ` +
      `${t.clockSkewMs.toFixed(3)} ms over it). Lateness is against the contender's own schedule: the instant of ` +
      'start + n·period the tick was for (fixed rate), previous end + period (fixed delay). Offset: tick n − ' +
      '(start + n·period), n counting runs, so a missed tick (a stall) moves it a period later and an extra run ' +
      'a period earlier. Drift over the run: the median offset of the last 100 ticks (a quarter, if fewer) − that of the first 100 ' +
      '(how far the schedule moved; the lateness every tick has cancels out). ' +
      'Extra: a second run for one instant of the schedule (fixed rate: the same instant of the grid as the ' +
      'previous run; the others: less than half a period after it).',
    '',
    `| contender | drift over ${t.ticks} ticks | offset at tick ${t.ticks} | last tick vs its instant | jitter p50 | jitter p99 | longest interval | lateness min | p50 | p99 | extra ticks | skipped / missed |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, s] of [
    ['fixed rate (runtime)', t.fixedRate],
    ['fixed delay (runtime)', t.fixedDelay],
    ['`setInterval` (baseline)', t.setInterval],
  ] as const) {
    out.push(
      `| ${name} | ${ms(s.driftOverRunMs)} | ${ms(s.driftMs)} | ${ms(s.driftVsGridMs)} | ${ms(s.jitterP50Ms)} | ${ms(s.jitterP99Ms)} | ${ms(s.maxIntervalMs)} | ${ms(s.latenessMinMs)} | ${ms(s.latenessP50Ms)} | ${ms(s.latenessP99Ms)} | ${s.extra} | ${lost(s)} |`,
    );
  }
  out.push(
    '',
    `${m.servers.toLocaleString('en')} timers of ${m.periodMs} ms × ${m.ticksEach} ticks, started ${m.start}; ` +
      `run in ${m.window} (${m.windowS.toFixed(1)} s). Lateness: vs the instant of ` +
      'start + n·period the tick was for; |offset|: at the last tick, n counting every run; |drift over the run|: ' +
      "each timer's last tick's offset − its first's.",
    '',
    '| contender | ticks | lateness min | p50 | p99 | max | \\|offset\\| p50 | p99 | \\|drift over the run\\| p50 | p99 | jitter p50 | p99 | extra ticks (timers) | skipped / missed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, s] of [
    [`${m.servers.toLocaleString('en')} fixed-rate servers`, m.fixedRate],
    [`${m.servers.toLocaleString('en')} \`setInterval\` (baseline)`, m.setInterval],
  ] as const) {
    out.push(
      `| ${name} | ${s.ticks.toLocaleString('en')} | ${ms(s.latenessMinMs)} | ${ms(s.latenessP50Ms)} | ${ms(s.latenessP99Ms)} | ${ms(s.latenessMaxMs)} | ${ms(s.driftP50Ms)} | ${ms(s.driftP99Ms)} | ${ms(s.driftOverRunP50Ms)} | ${ms(s.driftOverRunP99Ms)} | ${ms(s.jitterP50Ms)} | ${ms(s.jitterP99Ms)} | ${s.extra} (${s.timersWithExtra}) | ${lost(s)} |`,
    );
  }
  out.push(
    '',
    '| measure | value | baseline (same run) |',
    '|---|---:|---|',
    `| CPU of ${p.idle.servers.toLocaleString('en')} idle periodic servers (every ${p.idle.periodMs / 1000} s) over ${p.idle.seconds} s | ${p.idle.cpuMs.toFixed(1)} ms | no servers, same ${p.idle.seconds} s: ${p.idle.baselineCpuMs.toFixed(1)} ms |`,
    '',
    '| target | measured | limit | ok |',
    '|---|---:|---:|:-:|',
  );
  for (const [name, x] of Object.entries(targets)) {
    const ok = x.strict ? x.value < x.target : x.value <= x.target;
    out.push(
      `| ${name} | ${x.value.toFixed(2)} ${x.unit} | ${x.strict ? '<' : '≤'} ${x.target} ${x.unit} | ${verdict(ok)} |`,
    );
  }
  console.log(out.join('\n'));
}
