import { ManualClock } from '../manual-clock.js';
import { ServerProcess } from '../server-process.js';
import { Supervisor } from '../supervisor.js';
import { silent } from '../spec-helpers.js';
import type { ChildShape, SupervisorShape, TreeView } from './supervisor.model.js';

/** How a crash is caused: a cast handler that throws, a call handler that throws, or `crashWith`. */
export type CrashVia = 'cast' | 'call' | 'crashWith';

interface Instance {
  readonly n: number;
}

/**
 * The real runtime built from a {@link SupervisorShape}: servers whose `@Init` and `@Terminate` write
 * `+name#incarnation` / `-name#incarnation` to a trace, on a {@link ManualClock}, so that it can be
 * compared with the model.
 */
export class RealTree {
  readonly clock: ManualClock;
  readonly root: Supervisor;
  private trace: string[] = [];
  private readonly servers: ServerProcess<Instance>[] = [];
  private readonly supervisors: Supervisor[] = [];
  private readonly giveUps = new Map<Supervisor, number>();
  /** Settles once every call made to crash a server was checked. */
  private calls: Promise<void>[] = [];

  constructor(shape: SupervisorShape, now = 0) {
    this.clock = new ManualClock(now);
    this.root = this.build(shape) as Supervisor;
  }

  start(): Promise<void> {
    return this.root.start();
  }

  /** Crashes server `index` as `via` says. */
  crash(index: number, via: CrashVia): void {
    const server = this.servers[index];
    if (via === 'crashWith') server.crashWith(new Error('injected'));
    else if (via === 'cast') server.cast('boom', []);
    else {
      this.calls.push(
        server.call('boom', []).then(
          () => {
            throw new Error(`${server.name}: call 'boom' resolved instead of rejecting`);
          },
          (error: unknown) => {
            if (!(error instanceof Error && error.name === 'ServerCrashedError')) throw error;
          },
        ),
      );
    }
  }

  /** Crashes servers `first` and `second` in one turn: their exits reach the supervisor together. */
  crashTogether(first: number, second: number): void {
    this.servers[first].crashWith(new Error('injected'));
    this.servers[second].crashWith(new Error('injected'));
  }

  /** Makes server `index` stop itself with reason `normal`, from inside a handler. */
  exitNormally(index: number): void {
    this.servers[index].cast('quit', []);
  }

  /** Moves the clock on, letting what each timer (a backoff) triggers finish before the next fires. */
  advance(ms: number): Promise<void> {
    return this.clock.advanceByAsync(ms);
  }

  /** Lets every reaction run (restarts, give-ups, escalations); no time passes. */
  async settle(): Promise<void> {
    await this.clock.settle();
    const calls = this.calls;
    this.calls = [];
    await Promise.all(calls);
  }

  takeTrace(): string[] {
    const trace = this.trace;
    this.trace = [];
    return trace;
  }

  view(): TreeView {
    const view: TreeView = {};
    this.visit(this.root, view);
    return view;
  }

  private visit(supervisor: Supervisor, view: TreeView): void {
    const info = supervisor.info();
    view[supervisor.name] = {
      status: info.status,
      restarts: info.restarts,
      giveUps: this.giveUps.get(supervisor) ?? 0,
      recentRestarts: info.recentRestarts,
    };
    for (const child of info.children) {
      if (child.type === 'supervisor') {
        this.visit(this.supervisors.find((s) => s.name === child.name) as Supervisor, view);
      } else if (child.type === 'server') {
        const down = child.status === 'stopped' || child.status === 'failed';
        view[child.name] = {
          status: down ? 'down' : child.status,
          incarnation: child.incarnation,
          restarts: child.restarts,
        };
      }
    }
  }

  private build(shape: ChildShape): Supervisor | ServerProcess<Instance> {
    if (shape.kind === 'server') return this.server(shape.name);
    const supervisor = new Supervisor({
      name: shape.name,
      strategy: shape.strategy,
      maxRestarts: shape.maxRestarts,
      withinMs: shape.withinMs,
      ...(shape.backoff !== undefined ? { backoff: shape.backoff } : {}),
      clock: this.clock,
      logger: silent,
      onGiveUp: (s) => this.giveUps.set(s, (this.giveUps.get(s) ?? 0) + 1),
    });
    this.supervisors.push(supervisor);
    for (const child of shape.children) supervisor.add(this.build(child), { restart: child.restart });
    return supervisor;
  }

  private server(name: string): ServerProcess<Instance> {
    const trace = (event: string): void => void this.trace.push(event);
    const boom = (): never => {
      throw new Error('boom');
    };
    const server: ServerProcess<Instance> = new ServerProcess<Instance>(
      {
        name,
        create: (n) => ({ n }),
        init(this: Instance) {
          trace(`+${name}#${this.n}`);
        },
        terminate(this: Instance) {
          trace(`-${name}#${this.n}`);
        },
        calls: { boom },
        casts: {
          boom,
          quit: () => void server.stop('normal'),
        },
      },
      { clock: this.clock, logger: silent },
    );
    this.servers.push(server);
    return server;
  }
}
