import { Injectable, Logger } from '@nestjs/common';
import { GenServerRuntime } from 'nestjs-genserver';
import { DatabaseOptions } from './database.options.js';

/** A connection of the driver. */
export interface Connection {
  /** The rows; rejects with a {@link ConnectionLostError} if the database went down since connecting. */
  query(sql: string): Promise<unknown[]>;
}

/** A query on a connection the database dropped: the owner must connect again. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
}

/**
 * A stand-in for the database and its driver, in memory: down for `downForMs` after boot (on the
 * runtime's clock, so a manual clock drives it in tests), then up until `goDown()`. Going down drops every
 * open connection, as a restarted database server would. A query answers with an echo of its SQL.
 */
@Injectable()
export class FakeDatabase {
  private readonly logger = new Logger(FakeDatabase.name);
  private readonly downUntil: number;
  private forcedDown = false;
  private forcedUp = false;
  /** Bumped by `goDown()`: a connection opened before it is dead. */
  private generation = 0;

  constructor(
    options: DatabaseOptions,
    private readonly runtime: GenServerRuntime,
  ) {
    this.downUntil = runtime.clock.now() + options.downForMs;
  }

  /** Whether the database accepts connections now. */
  isUp(): boolean {
    return !this.forcedDown && (this.forcedUp || this.runtime.clock.now() >= this.downUntil);
  }

  /** Connects, or rejects as a driver does when nothing listens. */
  async connect(): Promise<Connection> {
    if (!this.isUp()) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const generation = this.generation;
    return {
      query: async (sql) => {
        if (!this.isUp() || generation !== this.generation) {
          throw new ConnectionLostError('connection terminated unexpectedly');
        }
        return [{ sql }];
      },
    };
  }

  /** Stops the database: connections are refused and open ones are dropped. */
  goDown(): void {
    this.forcedDown = true;
    this.generation++;
    this.logger.warn('the database is down');
  }

  /** Starts the database (also ends the boot-time outage at once). */
  comeUp(): void {
    this.forcedDown = false;
    this.forcedUp = true;
    this.logger.log('the database is up');
  }
}
