import { Injectable, type Type } from '@nestjs/common';
import { GenServerRuntime } from './genserver.runtime.js';
import { Registry } from './runtime/registry.js';
import type { ServerProcess } from './runtime/server-process.js';
import { ServerRef } from './server-ref.js';

/**
 * Finds servers by key, like Elixir's Registry:
 * - unique keys: the dynamic children of a class, started under a key (`lookup(GameServer, 'game-42')`);
 * - duplicate keys: topics any number of servers join, for pub/sub (`join` / `dispatch`).
 *
 * Entries go away the moment their server ends for good; a restart keeps them.
 */
@Injectable()
export class GenServerRegistry {
  private readonly topics: Registry<ServerProcess<object>>;
  private readonly refs = new WeakMap<ServerProcess<object>, ServerRef<object>>();

  constructor(private readonly runtime: GenServerRuntime) {
    this.topics = new Registry('GenServerRegistry', 'duplicate', runtime.logger);
  }

  /** The ref of the dynamic child of `server` under `key`, or undefined. */
  lookup<T extends object>(server: Type<T>, key: string): ServerRef<T> | undefined {
    return this.runtime.dynamicRef(server)?.lookup(key);
  }

  /** Adds a server to a topic (a duplicate key); it leaves when it ends for good. Joining twice is a no-op. */
  join<T extends object>(topic: string, ref: ServerRef<T>): void {
    const process = ServerRef.processOf(ref) as ServerProcess<object>;
    this.refs.set(process, ref as ServerRef<object>);
    this.topics.register(topic, process);
  }

  /** Removes a server from a topic. */
  leave<T extends object>(topic: string, ref: ServerRef<T>): void {
    this.topics.unregister(topic, ServerRef.processOf(ref) as ServerProcess<object>);
  }

  /** The refs of every server in a topic, in join order. */
  members<T extends object = object>(topic: string): ServerRef<T>[] {
    return this.topics.lookupAll(topic).map((process) => this.refs.get(process) as ServerRef<T>);
  }

  /**
   * Calls `deliver` with the ref of every server in `topic` (typically to cast to it) and returns how
   * many were reached. A delivery that throws (the server is stopping) is logged and skipped.
   *
   * @example
   * registry.dispatch<Room>('room:lobby', (room) => room.cast('broadcast', message));
   */
  dispatch<T extends object = object>(topic: string, deliver: (ref: ServerRef<T>) => void): number {
    return this.topics.dispatch(topic, (process) => deliver(this.refs.get(process) as ServerRef<T>));
  }
}
