import type { Type } from '@nestjs/common';
import { startNotInTree, startTwice } from './genserver.messages.js';
import type { GenServerStartSelection } from './interfaces/genserver-testing.interface.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import type { SupervisedChild } from './runtime/supervised-child.js';
import type { ChildOverrides, Supervisor } from './runtime/supervisor.js';
import type { PlannedChild } from './supervision-tree.js';

/** A node of the planned tree, built: a server's process or a `@Supervised` class's supervisor. */
interface Node {
  readonly target: Type<object>;
  readonly child: SupervisedChild;
  readonly overrides: ChildOverrides;
  /** Undefined for the root's children. */
  readonly parent: Node | undefined;
  readonly children: Node[];
  /** It is a child of its parent supervisor (it started with it, or later with `startLater`). */
  added: boolean;
}

/** Makes the process or supervisor of a planned child (without adding its children). */
export type BuildNode = (planned: PlannedChild) => SupervisedChild;

/**
 * The planned supervision tree, built under the root, of which a selection starts at bootstrap (all of
 * it in an application; part of it in a test, see `GenServerStartSelection`). The rest can be started
 * later, each class with its subtree, at its planned place: under the supervisor that lists it, among
 * its siblings in list order.
 */
export class TreeAssembly {
  private readonly nodes = new Map<Type<object>, Node>();
  private readonly top: Node[] = [];

  /**
   * @param rootTail the root child that planned children started later go before (the first dynamic
   *   supervisor or task supervisor), so they keep their place in the start and stop order
   */
  constructor(
    private readonly root: Supervisor,
    private readonly rootTail: () => SupervisedChild | undefined,
  ) {}

  /** Builds every planned child and adds the selected ones to their parents (before the root starts). */
  assemble(
    plan: readonly PlannedChild[],
    build: BuildNode,
    selection: GenServerStartSelection = 'all',
  ): void {
    const make = (planned: PlannedChild, parent: Node | undefined): Node => {
      const target = planned.kind === 'server' ? planned.server.server : planned.supervisor.supervisor;
      const node: Node = {
        target,
        child: build(planned),
        overrides: planned.overrides,
        parent,
        children: [],
        added: false,
      };
      this.nodes.set(target, node);
      if (planned.kind === 'supervisor') {
        for (const grandchild of planned.children) node.children.push(make(grandchild, node));
      }
      return node;
    };
    for (const planned of plan) this.top.push(make(planned, undefined));

    const listed = new Set<Type<object>>(selection === 'all' ? [] : selection === 'none' ? [] : selection);
    for (const target of listed) {
      if (!this.nodes.has(target)) {
        throw new InvalidDefinitionError(startNotInTree(nameOf(target), 'it is listed in `start`'));
      }
    }
    const mark = (node: Node, forced: boolean): boolean => {
      const self = forced || listed.has(node.target);
      let any = false;
      for (const child of node.children) any = mark(child, self) || any;
      node.added = self || any;
      return node.added;
    };
    for (const node of this.top) mark(node, selection === 'all');
    const attach = (node: Node): void => {
      if (!node.added) return;
      this.supervisorOf(node).add(node.child, node.overrides);
      for (const child of node.children) attach(child);
    };
    for (const node of this.top) attach(node);
  }

  /**
   * Starts `target` — a server, or a `@Supervised` class with its whole subtree — which did not start at
   * bootstrap, under the supervisor that lists it (starting that one first if needed, with only the
   * children already started).
   */
  async startLater(target: Type<object>): Promise<void> {
    const node = this.nodes.get(target);
    if (node === undefined) {
      throw new InvalidDefinitionError(startNotInTree(nameOf(target), 'it was passed to start()'));
    }
    if (node.added) throw new Error(startTwice(nameOf(target)));
    const addSubtree = (parent: Node): void => {
      for (const child of parent.children) {
        if (child.added) continue;
        child.added = true;
        (parent.child as Supervisor).add(child.child, child.overrides);
        addSubtree(child);
      }
    };
    addSubtree(node);
    await this.attachLater(node);
  }

  /** Every planned class that has not started yet, in plan order. */
  notStarted(): Type<object>[] {
    const out: Type<object>[] = [];
    const walk = (node: Node): void => {
      if (!node.added) out.push(node.target);
      for (const child of node.children) walk(child);
    };
    for (const node of this.top) walk(node);
    return out;
  }

  /** The planned classes at the top of what has not started (their subtrees included). */
  notStartedRoots(): Type<object>[] {
    return this.notStarted().filter((target) => this.nodes.get(target)?.parent?.added !== false);
  }

  /** Processes and supervisors that never started (to stop at shutdown, so their queued callers hear). */
  neverStarted(): SupervisedChild[] {
    return this.notStarted().map((target) => (this.nodes.get(target) as Node).child);
  }

  private async attachLater(node: Node): Promise<void> {
    const parent = node.parent;
    if (parent !== undefined && !parent.added) await this.attachLater(parent);
    const siblings = parent?.children ?? this.top;
    const next = siblings.slice(siblings.indexOf(node) + 1).find((sibling) => sibling.added);
    const before = next?.child ?? (parent === undefined ? this.rootTail() : undefined);
    node.added = true;
    try {
      await this.supervisorOf(node).startChild(node.child, node.overrides, before);
    } catch (error) {
      node.added = false;
      throw error;
    }
  }

  private supervisorOf(node: Node): Supervisor {
    return node.parent === undefined ? this.root : (node.parent.child as Supervisor);
  }
}

function nameOf(target: unknown): string {
  return typeof target === 'function' ? target.name || 'an anonymous class' : String(target);
}
