/**
 * A pure model of OTP supervision: the specification the real {@link Supervisor} is checked against
 * over random histories (src/runtime/supervisor.model.spec.ts). It is written from OTP's rules
 * (`supervisor.erl`, docs/supervision.md), not from the implementation, and imports nothing from it.
 *
 * The rules:
 * - a child exits by a crash or normally; its supervisor restarts it if it is `permanent`, or
 *   `transient` and it crashed; a `temporary` child is never restarted by its own supervisor;
 * - a restart first counts against the supervisor's intensity: a restart at `t` counts while
 *   `now - t < withinMs`; with `maxRestarts` of them already counted the supervisor gives up instead;
 * - the restarted group is the child (`one_for_one`), every child (`one_for_all`), or the child and
 *   those after it (`rest_for_one`): the others in the group are stopped last to first, then every
 *   member that is not `temporary` (and the exited child) starts again in order;
 * - a supervisor that gives up stops its children last to first and exits as a crashed child of its
 *   parent; the root has no parent and stays given up;
 * - a supervisor started again (by its parent) is a fresh one: empty restart history, and every child
 *   of its specification started in order, as OTP's `init/1` would return them;
 * - two children of one supervisor that exit at the same instant: as OTP's supervisor takes one exit at
 *   a time, when the first's exit restarts a group, the second's is handled after that restart, unless
 *   the restart dealt with it (it restarted the child with its group: OTP flushes the exit of a child it
 *   terminates). When the first's restart is of that child alone, the library decides both exits before
 *   it carries out either restart (a restart runs just after the exit, not inside it): if the second
 *   makes the supervisor give up, the first's restart does not happen (OTP would start the child and
 *   stop it again at once), as a restart waiting for its backoff is cancelled;
 * - the library's backoff (not OTP's), for `one_for_one` supervisors: the n-th consecutive restart of a
 *   child waits `min(maxMs, minMs · factor^(n-1))`; a child that ran `maxMs` since its last restart
 *   starts again from `minMs`. A supervisor that stops or gives up cancels the restarts it waits for.
 *
 * Apart from backoff waits, a command's effects happen at one instant.
 */

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
export type Restart = 'permanent' | 'transient' | 'temporary';

/** A server in the tree, with its restart type under its supervisor. */
export interface ServerShape {
  readonly kind: 'server';
  readonly name: string;
  readonly restart: Restart;
}

/** A supervisor, with its restart type under its own parent (ignored for the root). */
export interface SupervisorShape {
  readonly kind: 'supervisor';
  readonly name: string;
  readonly restart: Restart;
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  /** Only with `one_for_one`. */
  readonly backoff?: Backoff;
  readonly children: readonly ChildShape[];
}

/** Wait between restarts (no jitter; the count resets after `maxMs` without an exit). */
export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export type ChildShape = ServerShape | SupervisorShape;

/** What is compared after every command, for a server. */
export interface ServerView {
  readonly status: string;
  /** 1 for the first instance, +1 per restart. */
  readonly incarnation: number;
  readonly restarts: number;
}

/** What is compared after every command, for a supervisor. */
export interface SupervisorView {
  readonly status: string;
  /** Times it was started again by its parent. */
  readonly restarts: number;
  readonly giveUps: number;
  /** Restarts counted in its intensity window now. */
  readonly recentRestarts: number;
}

/** Every node of a tree by name. */
export type TreeView = Record<string, ServerView | SupervisorView>;

type Reason = 'crash' | 'normal';

interface ServerNode {
  readonly shape: ServerShape;
  readonly parent: SupervisorNode;
  running: boolean;
  /** Waiting for a restart after a backoff. */
  waiting: boolean;
  incarnation: number;
}

interface SupervisorNode {
  readonly shape: SupervisorShape;
  readonly parent: SupervisorNode | undefined;
  readonly children: ModelNode[];
  status: 'idle' | 'running' | 'gave_up' | 'stopped';
  starts: number;
  giveUps: number;
  /** When the restarts counted against its intensity happened. */
  restartTimes: number[];
  /** Backoff, per child: consecutive restarts, and when the last one happened. */
  consecutive: number[];
  restartedAt: number[];
}

type ModelNode = ServerNode | SupervisorNode;

/** A restart waiting for its backoff. */
interface Pending {
  readonly due: number;
  readonly supervisor: SupervisorNode;
  readonly child: ModelNode;
}

const isServer = (node: ModelNode): node is ServerNode => node.shape.kind === 'server';

/** The state of a supervision tree, changed by crashes, normal exits and time. */
export class SupervisorModel {
  /** Starts and stops, in order, since the last {@link takeTrace}: `+name#incarnation`, `-name#incarnation`. */
  private trace: string[] = [];
  private readonly root: SupervisorNode;
  private readonly servers: ServerNode[] = [];
  private readonly nodes: ModelNode[] = [];
  /** Restarts waiting for their backoff, in the order they were scheduled. */
  private pending: Pending[] = [];
  private time: number;

  constructor(shape: SupervisorShape, now = 0) {
    this.time = now;
    this.root = this.build(shape, undefined) as SupervisorNode;
    this.start(this.root);
  }

  get now(): number {
    return this.time;
  }

  /** Servers in start order (depth first). */
  get serverNames(): readonly string[] {
    return this.servers.map((s) => s.shape.name);
  }

  isRunning(server: number): boolean {
    return this.servers[server]?.running === true;
  }

  /** Server `server` (by index) crashes. */
  crash(server: number): void {
    this.exit(this.servers[server], 'crash');
  }

  /**
   * Servers `first` and `second`, children of one supervisor, crash at the same instant: both stop, then
   * their supervisor handles `first`'s exit, then `second`'s if handling the first left it to handle.
   */
  crashTogether(first: number, second: number): void {
    const a = this.servers[first];
    const b = this.servers[second];
    const supervisor = a.parent;
    const starts = supervisor.starts;
    const same = (): boolean => supervisor.status === 'running' && supervisor.starts === starts;
    this.stop(a);
    this.stop(b);
    const restartA = this.decide(a, 'crash');
    if (restartA !== undefined && restartA.group.length > 1) {
      restartA.run();
      if (!b.running && same()) this.exit(b, 'crash');
      return;
    }
    const restartB = same() ? this.decide(b, 'crash') : undefined; // a give-up already stopped b
    if (same()) restartA?.run();
    restartB?.run();
  }

  /** True when servers `a` and `b` are distinct children of one supervisor. */
  areSiblings(a: number, b: number): boolean {
    return a !== b && this.servers[a] !== undefined && this.servers[a].parent === this.servers[b]?.parent;
  }

  /** Server `server` (by index) stops itself with reason `normal`. */
  exitNormally(server: number): void {
    this.exit(this.servers[server], 'normal');
  }

  /** Time moves on by `ms`; the restarts that fall due meanwhile happen in due order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.pending.reduce<Pending | undefined>(
        (a, p) => (a && a.due <= p.due ? a : p),
        undefined,
      );
      if (next === undefined || next.due > target) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.time = next.due;
      const { supervisor, child } = next;
      const index = supervisor.children.indexOf(child);
      supervisor.restartedAt[index] = this.time;
      if (!isServer(child)) this.start(child);
      else if (child.waiting) {
        child.waiting = false;
        this.start(child);
      }
    }
    this.time = target;
  }

  /** The starts and stops since the last call. */
  takeTrace(): string[] {
    const trace = this.trace;
    this.trace = [];
    return trace;
  }

  view(): TreeView {
    const view: TreeView = {};
    for (const node of this.nodes) {
      view[node.shape.name] = isServer(node)
        ? {
            status: node.running ? 'running' : node.waiting ? 'restarting' : 'down',
            incarnation: node.incarnation,
            restarts: node.incarnation - 1,
          }
        : {
            status: node.status,
            restarts: node.starts - 1,
            giveUps: node.giveUps,
            recentRestarts: this.recent(node).length,
          };
    }
    return view;
  }

  /** OTP's restart types. */
  protected restartWanted(restart: Restart, reason: Reason): boolean {
    return restart === 'permanent' || (restart === 'transient' && reason === 'crash');
  }

  /** True when `supervisor` may not restart once more now. */
  protected exceeded(supervisor: SupervisorShape, recent: number): boolean {
    return recent >= supervisor.maxRestarts;
  }

  /** The children restarted with child `index` under `strategy`. */
  protected group<T>(strategy: Strategy, children: readonly T[], index: number): T[] {
    if (strategy === 'one_for_one') return [children[index]];
    return children.slice(strategy === 'one_for_all' ? 0 : index);
  }

  private build(shape: ChildShape, parent: SupervisorNode | undefined): ModelNode {
    if (shape.kind === 'server') {
      const server: ServerNode = {
        shape,
        parent: parent as SupervisorNode,
        running: false,
        waiting: false,
        incarnation: 0,
      };
      this.servers.push(server);
      this.nodes.push(server);
      return server;
    }
    const supervisor: SupervisorNode = {
      shape,
      parent,
      children: [],
      status: 'idle',
      starts: 0,
      giveUps: 0,
      restartTimes: [],
      consecutive: [],
      restartedAt: [],
    };
    this.nodes.push(supervisor);
    for (const child of shape.children) supervisor.children.push(this.build(child, supervisor));
    return supervisor;
  }

  private recent(supervisor: SupervisorNode): number[] {
    return supervisor.restartTimes.filter((t) => this.time - t < supervisor.shape.withinMs);
  }

  private start(node: ModelNode): void {
    if (isServer(node)) {
      node.running = true;
      node.incarnation++;
      this.trace.push(`+${node.shape.name}#${node.incarnation}`);
      return;
    }
    node.status = 'running';
    node.starts++;
    node.restartTimes = [];
    node.consecutive = node.children.map(() => 0);
    node.restartedAt = node.children.map(() => -Infinity);
    for (const child of node.children) this.start(child);
  }

  private stop(node: ModelNode): void {
    if (isServer(node)) {
      node.waiting = false;
      if (!node.running) return;
      node.running = false;
      this.trace.push(`-${node.shape.name}#${node.incarnation}`);
      return;
    }
    this.cancelRestarts(node);
    if (node.status === 'running') for (const child of [...node.children].reverse()) this.stop(child);
    if (node.status !== 'idle') node.status = 'stopped';
  }

  /** A child exited (it has already stopped): its supervisor decides, and restarts what it decided. */
  private exit(child: ModelNode, reason: Reason): void {
    this.decide(child, reason)?.run();
  }

  /**
   * What the supervisor of `child` decides about its exit: nothing, a give-up (done), a restart after a
   * backoff (scheduled), or a restart of a group, returned to be carried out.
   */
  private decide(child: ModelNode, reason: Reason): { group: ModelNode[]; run: () => void } | undefined {
    if (isServer(child)) this.stop(child);
    const supervisor = child.parent;
    if (supervisor === undefined || supervisor.status !== 'running') return undefined;
    if (!this.restartWanted(child.shape.restart, reason)) return undefined;
    const recent = this.recent(supervisor);
    if (this.exceeded(supervisor.shape, recent.length)) {
      this.giveUp(supervisor);
      return undefined;
    }
    supervisor.restartTimes = [...recent, this.time];
    const backoff = supervisor.shape.backoff;
    if (backoff !== undefined) {
      this.restartLater(supervisor, child, backoff);
      return undefined;
    }
    const group = this.group(
      supervisor.shape.strategy,
      supervisor.children,
      supervisor.children.indexOf(child),
    );
    const run = (): void => {
      for (const member of [...group].reverse()) if (member !== child) this.stop(member);
      for (const member of group) {
        if (member === child || member.shape.restart !== 'temporary') this.start(member);
      }
    };
    return { group, run };
  }

  /** Schedules the restart of `child` after its backoff (a `one_for_one` supervisor's). */
  private restartLater(supervisor: SupervisorNode, child: ModelNode, backoff: Backoff): void {
    const index = supervisor.children.indexOf(child);
    if (this.time - supervisor.restartedAt[index] >= backoff.maxMs) supervisor.consecutive[index] = 0;
    const delay = Math.min(backoff.maxMs, backoff.minMs * backoff.factor ** supervisor.consecutive[index]++);
    if (isServer(child)) child.waiting = true;
    this.pending.push({ due: this.time + delay, supervisor, child });
  }

  private cancelRestarts(supervisor: SupervisorNode): void {
    this.pending = this.pending.filter((p) => p.supervisor !== supervisor);
  }

  private giveUp(supervisor: SupervisorNode): void {
    this.cancelRestarts(supervisor);
    for (const child of [...supervisor.children].reverse()) this.stop(child);
    supervisor.status = 'gave_up';
    supervisor.giveUps++;
    this.exit(supervisor, 'crash');
  }
}
