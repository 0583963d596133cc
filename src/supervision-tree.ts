import type { Type } from '@nestjs/common';
import type { GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import {
  badSupervisedOption,
  childNotProvided,
  listedTwice,
  missingChild,
  notAChild,
  supervisionCycle,
} from './genserver.messages.js';
import type { DiscoveredServer } from './genserver.runtime.js';
import type { SupervisedChildSpec, SupervisedOptions } from './interfaces/supervised-options.interface.js';
import { checkBackoff } from './runtime/backoff.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import type { RestartType } from './runtime/server-spec.js';
import type { ChildOverrides, RestartStrategy } from './runtime/supervisor.js';

/** A `@Supervised` provider, as the explorer found it. */
export interface DiscoveredSupervisor {
  readonly supervisor: Type<object>;
  readonly options: SupervisedOptions;
}

/** What the explorer hands the runtime: servers and supervisors, in provider order. */
export type DiscoveredProcess = DiscoveredServer | DiscoveredSupervisor;

/** A child of the planned tree, with the overrides of the supervisor that lists it. */
export type PlannedChild =
  | { readonly kind: 'server'; readonly server: DiscoveredServer; readonly overrides: ChildOverrides }
  | {
      readonly kind: 'supervisor';
      readonly supervisor: DiscoveredSupervisor;
      readonly overrides: ChildOverrides;
      readonly children: readonly PlannedChild[];
    };

/** One entry of a `children` list, read. */
interface Listing {
  readonly child: Type<object>;
  readonly overrides: ChildOverrides;
}

const STRATEGIES: readonly RestartStrategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

/**
 * Arranges the discovered servers and supervisors into a tree: each `@Supervised` class gets the
 * children it lists, in list order; whatever no supervisor lists goes under the root, in provider order.
 * Returns the root's children. Nothing is created here, so a bad tree fails bootstrap before any process
 * exists: throws {@link InvalidDefinitionError} naming the class for bad options, a child that is not a
 * GenServer or `@Supervised` class (or is undefined), one that is not provided, one listed twice, and a
 * cycle of supervisors.
 */
export function planSupervisionTree(
  discovered: readonly DiscoveredProcess[],
  accessor: GenServerMetadataAccessor,
): PlannedChild[] {
  const byClass = new Map<Type<object>, DiscoveredProcess>();
  for (const found of discovered) byClass.set(classOf(found), found);

  const listings = new Map<Type<object>, readonly Listing[]>();
  const listedBy = new Map<Type<object>, string[]>();
  for (const found of discovered) {
    if (!isSupervisor(found)) continue;
    const { supervisor, options } = found;
    checkOptions(supervisor.name, options);
    const children = options.children.map((entry, i) => readListing(supervisor.name, entry, i, accessor));
    for (const { child } of children) {
      if (!byClass.has(child))
        throw new InvalidDefinitionError(childNotProvided(supervisor.name, child.name));
      const parents = listedBy.get(child) ?? [];
      parents.push(supervisor.name);
      listedBy.set(child, parents);
    }
    listings.set(supervisor, children);
  }
  for (const [child, parents] of listedBy) {
    if (parents.length > 1) throw new InvalidDefinitionError(listedTwice(child.name, parents));
  }
  checkNoCycle(listings);

  const plan = (found: DiscoveredProcess, overrides: ChildOverrides): PlannedChild => {
    if (!isSupervisor(found)) return { kind: 'server', server: found, overrides };
    const children = (listings.get(found.supervisor) ?? []).map((listing) =>
      plan(byClass.get(listing.child) as DiscoveredProcess, listing.overrides),
    );
    return { kind: 'supervisor', supervisor: found, overrides, children };
  };
  return discovered.filter((found) => !listedBy.has(classOf(found))).map((found) => plan(found, {}));
}

export function isSupervisor(found: DiscoveredProcess): found is DiscoveredSupervisor {
  return 'supervisor' in found;
}

function classOf(found: DiscoveredProcess): Type<object> {
  return isSupervisor(found) ? found.supervisor : found.server;
}

function checkOptions(className: string, options: SupervisedOptions): void {
  const fail = (detail: string): never => {
    throw new InvalidDefinitionError(badSupervisedOption(className, detail));
  };
  const { children, strategy, maxRestarts, withinMs, name, restart, shutdownTimeout } = options;
  if (!Array.isArray(children)) {
    fail(`children must be an array of GenServer and @Supervised classes, got ${describe(children)}`);
  }
  if (strategy !== undefined && !STRATEGIES.includes(strategy)) {
    fail(`strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got ${describe(strategy)}`);
  }
  if (maxRestarts !== undefined && !(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
    fail(`maxRestarts must be an integer >= 0, got ${describe(maxRestarts)}`);
  }
  if (withinMs !== undefined && !(typeof withinMs === 'number' && withinMs > 0)) {
    fail(`withinMs must be a number of ms > 0, got ${describe(withinMs)}`);
  }
  if (name !== undefined && !(typeof name === 'string' && name.length > 0)) {
    fail(`name must be a non-empty string, got ${describe(name)}`);
  }
  const problem = checkChildOptions(restart, shutdownTimeout);
  if (problem !== undefined) fail(problem);
  if (options.backoff !== undefined) {
    try {
      checkBackoff(className, options.backoff);
    } catch (error) {
      fail((error as Error).message.slice(className.length + 2));
    }
  }
}

/** What is wrong with a restart type / shutdown timeout, if anything. */
function checkChildOptions(restart: unknown, shutdownTimeout: unknown): string | undefined {
  if (restart !== undefined && !RESTART_TYPES.includes(restart as RestartType)) {
    return `restart must be 'permanent', 'transient' or 'temporary', got ${describe(restart)}`;
  }
  const validTimeout =
    shutdownTimeout === Infinity ||
    (typeof shutdownTimeout === 'number' && Number.isFinite(shutdownTimeout) && shutdownTimeout >= 0);
  if (shutdownTimeout !== undefined && !validTimeout) {
    return `shutdownTimeout must be a number of ms >= 0 or Infinity, got ${describe(shutdownTimeout)}`;
  }
  return undefined;
}

function readListing(
  supervisor: string,
  entry: unknown,
  index: number,
  accessor: GenServerMetadataAccessor,
): Listing {
  const where = `children[${index}]`;
  if (typeof entry === 'object' && entry !== null && 'child' in entry) {
    const spec = entry as SupervisedChildSpec;
    const child = checkChildClass(supervisor, spec.child, `${where}.child`, accessor);
    const problem = checkChildOptions(spec.restart, spec.shutdownTimeout);
    if (problem !== undefined) {
      throw new InvalidDefinitionError(
        badSupervisedOption(supervisor, `${where} (${child.name}): ${problem}`),
      );
    }
    return { child, overrides: { restart: spec.restart, shutdownTimeout: spec.shutdownTimeout } };
  }
  return { child: checkChildClass(supervisor, entry, where, accessor), overrides: {} };
}

function checkChildClass(
  supervisor: string,
  child: unknown,
  where: string,
  accessor: GenServerMetadataAccessor,
): Type<object> {
  if (child === undefined || child === null) {
    throw new InvalidDefinitionError(missingChild(supervisor, where, String(child)));
  }
  if (!accessor.isServer(child) && !accessor.isSupervised(child)) {
    throw new InvalidDefinitionError(notAChild(supervisor, where, describe(child)));
  }
  return child;
}

/** Fails on a supervisor that is its own descendant (each child has one parent by now). */
function checkNoCycle(listings: ReadonlyMap<Type<object>, readonly Listing[]>): void {
  const done = new Set<Type<object>>();
  const path: Type<object>[] = [];
  const visit = (supervisor: Type<object>): void => {
    const at = path.indexOf(supervisor);
    if (at >= 0) {
      const cycle = [...path.slice(at), supervisor].map((s) => s.name);
      throw new InvalidDefinitionError(supervisionCycle(cycle));
    }
    if (done.has(supervisor)) return;
    path.push(supervisor);
    for (const { child } of listings.get(supervisor) ?? []) if (listings.has(child)) visit(child);
    path.pop();
    done.add(supervisor);
  };
  for (const supervisor of listings.keys()) visit(supervisor);
}

/** A value as a message shows it: a class by name, a string quoted. */
function describe(value: unknown): string {
  if (typeof value === 'function') return value.name || 'an anonymous function';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
