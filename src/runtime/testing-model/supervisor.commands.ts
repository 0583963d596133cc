import fc from 'fast-check';
import type { CrashVia, RealTree } from './real-tree.js';
import type {
  Backoff,
  ChildShape,
  Restart,
  Strategy,
  SupervisorModel,
  SupervisorShape,
  TreeView,
} from './supervisor.model.js';

/** Figures of a run, for the report. */
export interface Tally {
  histories: number;
  commands: number;
  crashes: number;
  /** Pairs of siblings crashed in the same turn (their crashes are in `crashes` too). */
  together: number;
  normalExits: number;
  timeSteps: number;
  /** Give-ups of nested supervisors (each escalated to its parent) and of roots. */
  nestedGiveUps: number;
  rootGiveUps: number;
}

export const newTally = (): Tally => ({
  histories: 0,
  commands: 0,
  crashes: 0,
  together: 0,
  normalExits: 0,
  timeSteps: 0,
  nestedGiveUps: 0,
  rootGiveUps: 0,
});

/** Adds the give-ups of a finished history to `tally`. */
export function countGiveUps(tally: Tally, model: SupervisorModel): void {
  for (const [name, node] of Object.entries(model.view())) {
    if (!('giveUps' in node)) continue;
    if (name === 'root') tally.rootGiveUps += node.giveUps;
    else tally.nestedGiveUps += node.giveUps;
  }
}

type Command = fc.AsyncCommand<SupervisorModel, RealTree>;

/** Runs `act` on both sides, lets the runtime settle, then fails if they disagree. */
async function step(
  command: Command,
  model: SupervisorModel,
  real: RealTree,
  act: (side: SupervisorModel | RealTree) => void | Promise<void>,
): Promise<void> {
  await act(real);
  await act(model);
  await real.settle();
  compare(`after ${command.toString()}`, model, real);
}

/** Throws, listing every difference, when the runtime does not match the model. */
export function compare(when: string, model: SupervisorModel, real: RealTree): void {
  const problems = differences(model.view(), real.view());
  const expected = model.takeTrace().join(' ');
  const actual = real.takeTrace().join(' ');
  if (expected !== actual) problems.push(`starts and stops: model [${expected}], runtime [${actual}]`);
  if (problems.length > 0) {
    throw new Error(`${when} (t=${model.now} ms), model and runtime disagree:\n  ${problems.join('\n  ')}`);
  }
}

function differences(expected: TreeView, actual: TreeView): string[] {
  const problems: string[] = [];
  for (const [name, node] of Object.entries(expected)) {
    const real = actual[name] as unknown as Record<string, unknown> | undefined;
    for (const [field, value] of Object.entries(node)) {
      if (real?.[field] !== value) {
        problems.push(`${name}.${field}: model ${String(value)}, runtime ${String(real?.[field])}`);
      }
    }
  }
  return problems;
}

/** Server `server` crashes (`via` a throwing cast or call handler, or `crashWith`). */
export class Crash implements Command {
  constructor(
    readonly server: number,
    readonly via: CrashVia,
    private readonly tally: Tally,
  ) {}
  check(model: Readonly<SupervisorModel>): boolean {
    return model.isRunning(this.server);
  }
  run(model: SupervisorModel, real: RealTree): Promise<void> {
    this.tally.commands++;
    this.tally.crashes++;
    return step(this, model, real, (side) =>
      side === real ? real.crash(this.server, this.via) : model.crash(this.server),
    );
  }
  toString(): string {
    return `crash s${this.server} (${this.via})`;
  }
}

/** Two servers under one supervisor crash in the same turn: the second exit arrives mid-restart. */
export class CrashTogether implements Command {
  constructor(
    readonly first: number,
    readonly second: number,
    private readonly tally: Tally,
  ) {}
  check(model: Readonly<SupervisorModel>): boolean {
    return (
      model.areSiblings(this.first, this.second) &&
      model.isRunning(this.first) &&
      model.isRunning(this.second)
    );
  }
  run(model: SupervisorModel, real: RealTree): Promise<void> {
    this.tally.commands++;
    this.tally.crashes += 2;
    this.tally.together++;
    return step(this, model, real, (side) => side.crashTogether(this.first, this.second));
  }
  toString(): string {
    return `crash s${this.first} and s${this.second} together`;
  }
}

/** Server `server` stops itself with reason `normal`. */
export class ExitNormally implements Command {
  constructor(
    readonly server: number,
    private readonly tally: Tally,
  ) {}
  check(model: Readonly<SupervisorModel>): boolean {
    return model.isRunning(this.server);
  }
  run(model: SupervisorModel, real: RealTree): Promise<void> {
    this.tally.commands++;
    this.tally.normalExits++;
    return step(this, model, real, (side) =>
      side === real ? real.exitNormally(this.server) : model.exitNormally(this.server),
    );
  }
  toString(): string {
    return `s${this.server} stops normally`;
  }
}

/** The clock moves on by `ms`: intensity windows slide. */
export class Advance implements Command {
  constructor(
    readonly ms: number,
    private readonly tally: Tally,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: SupervisorModel, real: RealTree): Promise<void> {
    this.tally.commands++;
    this.tally.timeSteps++;
    return step(this, model, real, (side) => side.advance(this.ms));
  }
  toString(): string {
    return `+${this.ms} ms`;
  }
}

/** Server indexes commands may name; those beyond a tree's servers are skipped. */
const MAX_SERVERS = 8;

/**
 * Random histories of crashes (one, or two siblings at once), normal exits and time steps. `replayPath` is the one fast-check printed
 * with a failing history (`/*replayPath="…"*\/`), needed with the failure's seed and path to replay it.
 */
export function commandsArbitrary(
  tally: Tally,
  maxCommands: number,
  replayPath?: string,
): fc.Arbitrary<Iterable<Command>> {
  const server = fc.nat({ max: MAX_SERVERS - 1 });
  const crash = fc
    .tuple(server, fc.constantFrom<CrashVia>('crashWith', 'cast', 'call'))
    .map(([s, via]) => new Crash(s, via, tally));
  const together = fc.tuple(server, server).map(([a, b]) => new CrashTogether(a, b, tally));
  const exit = server.map((s) => new ExitNormally(s, tally));
  // Steps in tens of ms, as are windows, so a restart often leaves the window exactly at a step.
  const advance = fc.integer({ min: 1, max: 25 }).map((n) => new Advance(n * 10, tally));
  return fc.commands([crash, crash, crash, together, exit, advance, advance], {
    maxCommands,
    size: 'max',
    ...(replayPath !== undefined ? { replayPath } : {}),
  });
}

interface Draft {
  readonly restart: Restart;
  readonly sup?: {
    readonly strategy: Strategy;
    readonly maxRestarts: number;
    readonly withinMs: number;
    readonly backoff: Backoff | null;
    readonly children: readonly Draft[];
  };
}

const restart = fc.constantFrom<Restart>('permanent', 'transient', 'temporary');

function draft(depth: number): fc.Arbitrary<Draft> {
  const server = fc.record({ restart });
  if (depth === 0) return server;
  return fc.oneof({ weight: 3, arbitrary: server }, { weight: 1, arbitrary: supervisorDraft(depth) });
}

function supervisorDraft(depth: number): fc.Arbitrary<Draft> {
  return fc.record({
    restart,
    sup: fc.record({
      strategy: fc.constantFrom<Strategy>('one_for_one', 'one_for_all', 'rest_for_one'),
      maxRestarts: fc.integer({ min: 0, max: 4 }),
      withinMs: fc.integer({ min: 1, max: 20 }).map((n) => n * 10),
      backoff: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc
            .record({
              minMs: fc.integer({ min: 1, max: 10 }),
              steps: fc.nat({ max: 3 }),
              factor: fc.constantFrom(2, 1, 3),
            })
            .map(({ minMs, steps, factor }) => ({
              minMs: minMs * 10,
              maxMs: minMs * 10 * 2 ** steps,
              factor,
            })),
        },
      ),
      children: fc.array(draft(depth - 1), { minLength: 1, maxLength: 5 }),
    }),
  });
}

/** Names servers `s0, s1, …` and supervisors `root, sup1, …` in start order. */
function name(d: Draft, counters: { servers: number; supervisors: number }, isRoot: boolean): ChildShape {
  if (d.sup === undefined) return { kind: 'server', name: `s${counters.servers++}`, restart: d.restart };
  const supervisorName = isRoot ? 'root' : `sup${++counters.supervisors}`;
  const { backoff, ...options } = d.sup;
  return {
    kind: 'supervisor',
    name: supervisorName,
    restart: d.restart,
    ...options,
    // The model covers backoff under one_for_one only (see supervisor.model.ts).
    ...(backoff !== null && d.sup.strategy === 'one_for_one' ? { backoff } : {}),
    children: d.sup.children.map((c) => name(c, counters, false)),
  };
}

/** One line per tree: `root(one_for_all, 2 in 50 ms)[s0, sup1(…, transient)[s1 temporary]]`. */
export function describeShape(shape: ChildShape, isRoot = true): string {
  const restartType = shape.restart === 'permanent' || isRoot ? '' : shape.restart;
  if (shape.kind === 'server') return restartType ? `${shape.name} ${restartType}` : shape.name;
  const { backoff } = shape;
  const options = [
    shape.strategy,
    `${shape.maxRestarts} in ${shape.withinMs} ms`,
    backoff && `backoff ${backoff.minMs}..${backoff.maxMs} ms ×${backoff.factor}`,
    restartType,
  ].filter(Boolean);
  const children = shape.children.map((c) => describeShape(c, false)).join(', ');
  return `${shape.name}(${options.join(', ')})[${children}]`;
}

/**
 * Trees of 1 to 3 levels of supervisors (the root, and nested ones with odds 1 in 4 per child), 1–5
 * children each, random strategies, restart types and intensities (0–4 restarts in 10–200 ms), and a
 * backoff for one in four `one_for_one` supervisors.
 */
export const shapeArbitrary: fc.Arbitrary<SupervisorShape> = supervisorDraft(3).map((d) => {
  const shape = name(d, { servers: 0, supervisors: 0 }, true) as SupervisorShape;
  return Object.assign(shape, { [fc.toStringMethod]: () => describeShape(shape) });
});
