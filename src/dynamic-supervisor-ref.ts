import type { DynamicChildInfo, DynamicSupervisor } from './runtime/dynamic-supervisor.js';
import type { ServerProcess } from './runtime/server-process.js';
import type { ServerRef } from './server-ref.js';

/**
 * Starts, finds and stops the dynamic children of one GenServer class — one server per game, user or
 * connection. Inject it with `@InjectDynamicSupervisor(Server)`. `A` is the type of the start arguments
 * that the server's `@Init(args)` receives.
 *
 * @example
 * const game = await this.games.startOrGet(id, { id, players: 2 });
 * await game.call('move', player, square);
 */
export class DynamicSupervisorRef<T extends object, A = unknown> {
  /** @internal */
  constructor(
    private readonly supervisor: DynamicSupervisor<T>,
    private readonly toRef: (process: ServerProcess<T>) => ServerRef<T>,
  ) {}

  /** The supervisor's name, as in logs and snapshots. */
  get name(): string {
    return this.supervisor.name;
  }

  /**
   * Starts a child with `args` (handed to its `@Init`), under `key` if given, and resolves with its ref
   * once `@Init` finished. Rejects with `MaxChildrenError`, `AlreadyStartedError` (key taken) or
   * `InitFailedError`.
   */
  async startChild(args?: A, options: { key?: string } = {}): Promise<ServerRef<T>> {
    return this.toRef(await this.supervisor.startChild(args, options));
  }

  /** The child under `key`, started with `args` if there is none; concurrent callers get the same one. */
  async startOrGet(key: string, args?: A): Promise<ServerRef<T>> {
    return this.toRef(await this.supervisor.startOrGet(key, args));
  }

  /** The ref of the child under `key`, or undefined. */
  lookup(key: string): ServerRef<T> | undefined {
    const child = this.supervisor.lookup(key);
    return child === undefined ? undefined : this.toRef(child);
  }

  /** Stops the child under `key` (its `@Terminate` runs; it is not restarted). False if there is none. */
  terminateChild(key: string): Promise<boolean> {
    return this.supervisor.terminateChild(key);
  }

  /** Every child: name, key, status and restarts. */
  whichChildren(): DynamicChildInfo[] {
    return this.supervisor.whichChildren();
  }

  /** How many children exist and how many are running. */
  countChildren(): { total: number; running: number } {
    return this.supervisor.countChildren();
  }
}
