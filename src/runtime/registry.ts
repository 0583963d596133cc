import { AlreadyStartedError } from './errors/already-started.error.js';
import type { ExitReason } from './exit-reason.js';
import { consoleLogger, type RuntimeLogger } from './logger.js';

/** What a registry can hold: anything that reports when it ends for good (a {@link ServerProcess}). */
export interface Monitorable {
  readonly name: string;
  monitor(onDown: (reason: ExitReason) => void): void;
}

/** `unique`: one process per key. `duplicate`: any number per key (pub/sub topics). */
export type RegistryKeys = 'unique' | 'duplicate';

/**
 * Names processes by key, like Elixir's Registry. Entries are removed the moment their process ends
 * for good (a restart keeps them: the process outlives its instances).
 *
 * - `unique` keys: {@link Registry.register} fails with {@link AlreadyStartedError} while the key is
 *   taken; {@link Registry.lookup} finds the one process.
 * - `duplicate` keys: many processes per key; {@link Registry.dispatch} reaches all of them.
 */
export class Registry<P extends Monitorable = Monitorable> {
  private readonly entries = new Map<string, P[]>();

  constructor(
    readonly name: string,
    readonly keys: RegistryKeys,
    private readonly logger: RuntimeLogger = consoleLogger,
  ) {}

  /** Registers `process` under `key`. Registering the same pair twice is a no-op. */
  register(key: string, process: P): void {
    const list = this.entries.get(key);
    if (list !== undefined) {
      if (list.includes(process)) return;
      if (this.keys === 'unique') throw new AlreadyStartedError(this.name, key);
      list.push(process);
    } else {
      this.entries.set(key, [process]);
    }
    process.monitor(() => this.unregister(key, process));
  }

  /** Removes `process` from `key` (or every process under `key` when none is given). */
  unregister(key: string, process?: P): void {
    const list = this.entries.get(key);
    if (list === undefined) return;
    if (process === undefined) {
      this.entries.delete(key);
      return;
    }
    const i = list.indexOf(process);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.entries.delete(key);
  }

  /** The process under a unique key (the first one for a duplicate key), or undefined. */
  lookup(key: string): P | undefined {
    return this.entries.get(key)?.[0];
  }

  /** Every process under `key`, in registration order. */
  lookupAll(key: string): readonly P[] {
    return this.entries.get(key)?.slice() ?? [];
  }

  /**
   * Calls `deliver` for every process under `key` and returns how many were reached. A delivery that
   * throws (say, the process is stopping) is logged and skipped; the others still get theirs.
   */
  dispatch(key: string, deliver: (process: P) => void): number {
    const list = this.entries.get(key);
    if (list === undefined) return 0;
    let reached = 0;
    for (const process of list.slice()) {
      try {
        deliver(process);
        reached++;
      } catch (error) {
        this.logger.warn(`${this.name}: dispatch to ${process.name} under '${key}' failed: ${String(error)}`);
      }
    }
    return reached;
  }

  /** The keys that have at least one process. */
  keyList(): string[] {
    return [...this.entries.keys()];
  }

  /** Number of (key, process) entries. */
  get size(): number {
    let n = 0;
    for (const list of this.entries.values()) n += list.length;
    return n;
  }
}
