import {
  Injectable,
  Module,
  type INestApplicationContext,
  type ModuleMetadata,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GenServer, GenServerModule, GenServerRuntime, HandleCall } from 'nestjs-genserver';
import { gc } from './memory.js';
import { SMOKE, size } from './mode.js';

/**
 * Bootstrap and shutdown of a real Nest application context with 1000 static GenServers in one module:
 * `NestFactory.createApplicationContext` (DI, discovery, building and starting the supervision tree) and
 * `app.close()` (stopping it). Baselines in the same run: the same 1000 classes as plain `@Injectable`
 * providers, without and with `GenServerModule.forRoot()` imported. The contenders take turns, one round
 * each after a warm-up round, and every figure is the median of the rounds.
 */

const SERVERS = size(1000, 10);
const ROUNDS = size(7, 1);

interface CounterLike {
  count: number;
  increment(by: number): number;
}

/** One of the bench's counters as a class of its own, made at run time (as a code generator would). */
function counterClass(i: number): Type<CounterLike> {
  const cls = class {
    count = 0;
    increment(by: number): number {
      this.count += by;
      return this.count;
    }
  };
  Object.defineProperty(cls, 'name', { value: `Counter${i}` });
  return cls;
}

/** `@GenServer()` with `@HandleCall() increment`, applied by calling the decorators. */
function asServer(cls: Type<CounterLike>): Type<CounterLike> {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, 'increment') as PropertyDescriptor;
  HandleCall()(cls.prototype as object, 'increment', descriptor);
  GenServer()(cls);
  return cls;
}

function asProvider(cls: Type<CounterLike>): Type<CounterLike> {
  Injectable()(cls);
  return cls;
}

function nestModule(name: string, metadata: ModuleMetadata): Type<object> {
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: name });
  Module(metadata)(cls);
  return cls;
}

export interface BootTimes {
  createMs: number;
  closeMs: number;
  /** The median of each round's create + close (not the sum of the two medians). */
  totalMs: number;
}

export interface BootstrapFigures {
  servers: number;
  rounds: number;
  plain: BootTimes;
  plainWithModule: BootTimes;
  genservers: BootTimes;
}

interface Contender {
  module: Type<object>;
  /** Untimed, between create and close: proves every provider or server is up. */
  check: (app: INestApplicationContext) => Promise<void>;
  create: number[];
  close: number[];
  total: number[];
}

function contender(module: Type<object>, check: Contender['check']): Contender {
  return { module, check, create: [], close: [], total: [] };
}

async function round(c: Contender, record: boolean): Promise<void> {
  gc();
  const t0 = performance.now();
  const app = await NestFactory.createApplicationContext(c.module, { logger: false });
  const t1 = performance.now();
  await c.check(app);
  const t2 = performance.now();
  await app.close();
  const t3 = performance.now();
  if (!record) return;
  c.create.push(t1 - t0);
  c.close.push(t3 - t2);
  c.total.push(t1 - t0 + (t3 - t2));
}

function expectEvery(replies: number[], what: string): void {
  if (replies.length !== SERVERS || replies.some((r) => r !== 1)) {
    throw new Error(`bench: ${what} did not all answer increment(1) with 1`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function times(c: Contender): BootTimes {
  return { createMs: median(c.create), closeMs: median(c.close), totalMs: median(c.total) };
}

export async function measureBootstrap(): Promise<BootstrapFigures> {
  const servers = Array.from({ length: SERVERS }, (_, i) => asServer(counterClass(i)));
  const providers = Array.from({ length: SERVERS }, (_, i) => asProvider(counterClass(i)));
  const callEvery = async (app: INestApplicationContext) => {
    const runtime = app.get(GenServerRuntime);
    expectEvery(await Promise.all(servers.map((s) => runtime.ref(s).call('increment', 1))), 'the servers');
  };
  const useEvery = (app: INestApplicationContext) => {
    expectEvery(
      providers.map((p) => app.get(p).increment(1)),
      'the providers',
    );
    return Promise.resolve();
  };
  const plain = contender(nestModule('PlainModule', { providers }), useEvery);
  const plainWithModule = contender(
    nestModule('PlainWithGenServerModule', { imports: [GenServerModule.forRoot()], providers }),
    useEvery,
  );
  const genservers = contender(
    nestModule('GenServersModule', { imports: [GenServerModule.forRoot()], providers: servers }),
    callEvery,
  );
  const all = [plain, plainWithModule, genservers];
  if (!SMOKE) for (const c of all) await round(c, false); // warm-up: the first pass measures the JIT
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < all.length; j++) await round(all[(j + r) % all.length], true);
  }
  return {
    servers: SERVERS,
    rounds: ROUNDS,
    plain: times(plain),
    plainWithModule: times(plainWithModule),
    genservers: times(genservers),
  };
}

/** The section printed by run.ts. */
export function formatBootstrap(b: BootstrapFigures): string {
  const n = b.servers.toLocaleString('en');
  const row = (name: string, t: BootTimes): string =>
    `| ${name} | ${t.createMs.toFixed(1)} | ${t.closeMs.toFixed(1)} | ${t.totalMs.toFixed(1)} | ` +
    `${((t.totalMs * 1000) / b.servers).toFixed(1)} | ${(t.totalMs / b.plain.totalMs).toFixed(2)} |`;
  return [
    '',
    '### Bootstrap and shutdown',
    '',
    `${n} classes in one module, \`NestFactory.createApplicationContext\` then \`app.close()\`; median of ` +
      `${b.rounds} round${b.rounds === 1 ? '' : 's'}.`,
    '',
    '| app | create ms | close ms | total ms | µs per class | × plain providers |',
    '|---|---:|---:|---:|---:|---:|',
    row(`${n} plain \`@Injectable\` providers (baseline)`, b.plain),
    row(`${n} plain providers + \`GenServerModule.forRoot()\``, b.plainWithModule),
    row(`${n} static \`@GenServer\`s (supervision tree)`, b.genservers),
  ].join('\n');
}
