import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RealTree } from './testing-model/real-tree.js';
import {
  type Tally,
  commandsArbitrary,
  compare,
  countGiveUps,
  newTally,
  shapeArbitrary,
} from './testing-model/supervisor.commands.js';
import { type Strategy, SupervisorModel, type SupervisorShape } from './testing-model/supervisor.model.js';

/**
 * The real Supervisor against the model of OTP supervision (testing-model/supervisor.model.ts), over
 * random trees and random histories of crashes (alone, or two siblings in one turn, so that an exit
 * arrives while another is being handled), normal exits and time steps on a ManualClock. After every
 * command both must agree on every server (running, incarnation, restarts), every supervisor (status,
 * restarts, give-ups, restarts in the window) and the order of starts and stops.
 *
 * Deterministic by default; explore with FC_SEED=<n> FC_RUNS=<n>. To replay a failure, give the seed,
 * path and replayPath that fast-check reported: FC_SEED=<seed> FC_PATH=<path> FC_REPLAY=<replayPath>.
 */
const SEED = Number(process.env.FC_SEED ?? 20260110);
const RUNS = Number(process.env.FC_RUNS ?? 10_000);
const PATH = process.env.FC_PATH;
const REPLAY = process.env.FC_REPLAY;
const MAX_COMMANDS = 30;

type ModelFactory = (shape: SupervisorShape) => SupervisorModel;

/** One history: build both trees, start them, compare, then run the commands. */
function property(tally: Tally, makeModel: ModelFactory, replayPath?: string) {
  return fc.asyncProperty(
    shapeArbitrary,
    commandsArbitrary(tally, MAX_COMMANDS, replayPath),
    async (shape, commands) => {
      tally.histories++;
      let model: SupervisorModel | undefined;
      await fc.asyncModelRun(async () => {
        const real = new RealTree(shape);
        await real.start();
        model = makeModel(shape);
        compare('after start', model, real);
        return { model, real };
      }, commands);
      if (model !== undefined) countGiveUps(tally, model);
    },
  );
}

/** one_for_all handled as one_for_one: the kind of slip the check must catch. */
class OneForAllAsOneForOne extends SupervisorModel {
  protected override group<T>(strategy: Strategy, children: readonly T[], index: number): T[] {
    return super.group(strategy === 'one_for_all' ? 'one_for_one' : strategy, children, index);
  }
}

/** Gives up one restart late (`>` instead of `>=`): an off-by-one in the intensity. */
class OneRestartTooMany extends SupervisorModel {
  protected override exceeded(supervisor: SupervisorShape, recent: number): boolean {
    return recent > supervisor.maxRestarts;
  }
}

/** Runs the property against a wrong model; returns the shrunk history that fails, and why. */
async function counterexample(makeModel: ModelFactory): Promise<{ steps: string[]; report: string }> {
  const result = await fc.check(property(newTally(), makeModel), { seed: 1, numRuns: 300 });
  if (!result.failed) throw new Error('the wrong model was not caught');
  const [shape, commands] = result.counterexample as [SupervisorShape, Iterable<unknown>];
  // fast-check prints the commands that ran, then a replay path in a comment.
  const ran = String(commands).replace(/\s*\/\*.*\*\/$/, '');
  const steps = ran === '' ? [] : ran.split(',');
  const cause =
    result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  const report = `tree ${fc.stringify(shape)}, then ${steps.join(', ')}:\n${cause}`;
  console.info(`A wrong model is caught; fast-check shrinks the history to ${report}`);
  return { steps, report };
}

describe('Supervisor against the model of OTP supervision', () => {
  it(`agrees over ${RUNS} random histories (seed ${SEED})`, async () => {
    const tally = newTally();
    const started = performance.now();
    await fc.assert(
      property(tally, (shape) => new SupervisorModel(shape), REPLAY),
      {
        seed: SEED,
        numRuns: RUNS,
        ...(PATH !== undefined ? { path: PATH } : {}),
      },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(
      `supervisor model: ${tally.histories} histories, ${tally.commands} commands (${tally.crashes} crashes, ` +
        `${tally.together} of them pairs of siblings in one turn, ` +
        `${tally.normalExits} normal exits, ${tally.timeSteps} time steps; ${tally.nestedGiveUps} escalated ` +
        `give-ups, ${tally.rootGiveUps} root give-ups) in ${seconds} s, seed ${SEED}`,
    );
    expect(tally.histories).toBeGreaterThanOrEqual(RUNS);
  }, 180_000);

  it('catches one_for_all handled as one_for_one, and shrinks it to a short history', async () => {
    const { report, steps } = await counterexample((shape) => new OneForAllAsOneForOne(shape));
    expect(steps).toEqual([expect.stringMatching(/^crash s\d/)]);
    expect(report).toMatch(/s\d\.incarnation: model 1, runtime 2/);
    expect(report).toContain('starts and stops: model [');
  }, 60_000);

  it('catches an off-by-one in the restart intensity, and shrinks it to a short history', async () => {
    const { report, steps } = await counterexample((shape) => new OneRestartTooMany(shape));
    expect(steps).toEqual([expect.stringMatching(/^crash s\d/)]);
    expect(report).toContain('status: model running, runtime gave_up');
  }, 60_000);
});
