import { Logger } from '@nestjs/common';
import {
  GenServer,
  GenServerRuntime,
  HandleCall,
  HandleInfo,
  Init,
  InjectSelf,
  SelfRef,
} from 'nestjs-genserver';
import { type Connection, ConnectionLostError, FakeDatabase } from './fake-database.js';

/** A query's answer: the rows, or a typed refusal while there is no connection. */
export type QueryResult = { ok: true; rows: unknown[] } | { ok: false; error: 'database unavailable' };

/** What `GET /db` shows of the connection owner. */
export interface DbStatus {
  readonly connected: boolean;
  /** Connect attempts since boot. */
  readonly attempts: number;
  /** Failed attempts in a row (0 once connected): the next wait is 1 s · 2^(failures − 1), at most 30 s. */
  readonly failures: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
  readonly connectedAt: string | null;
}

const UNAVAILABLE = { ok: false, error: 'database unavailable' } as const;

/**
 * Owns the database connection, as in the forum thread: "exponential back-off and ability to run without
 * a database altogether". `@Init` only queues a `'connect'` to itself, so the app boots while the
 * database is down; each failed attempt schedules the next 1 s, 2 s, 4 s … 30 s later, and meanwhile the
 * server keeps answering (`query` replies `database unavailable`) instead of crashing. A query that finds
 * the connection lost drops it and connects again at once, then backs off from 1 s as at boot. (An
 * attempt holds the mailbox while it runs: give a real driver a short connect timeout.)
 */
@GenServer()
export class DbConnection {
  @InjectSelf() private readonly self!: SelfRef<DbConnection>;
  private readonly logger = new Logger(DbConnection.name);
  private connection: Connection | undefined;
  private failures = 0;
  private attempts = 0;
  private nextAttemptAt: number | undefined;
  private lastError: string | undefined;
  private connectedAt: number | undefined;

  constructor(
    private readonly database: FakeDatabase,
    private readonly runtime: GenServerRuntime,
  ) {}

  @Init() init(): void {
    this.self.send('connect'); // handled right after start: boot does not wait for the database
  }

  @HandleInfo() async onInfo(message: unknown): Promise<void> {
    if (message !== 'connect' || this.connection !== undefined) return;
    this.attempts++;
    try {
      this.connection = await this.database.connect();
      this.failures = 0;
      this.connected();
    } catch (error) {
      const delay = Math.min(1000 * 2 ** this.failures, 30_000); // 1 s, 2 s, 4 s … 30 s
      this.failures++;
      this.self.sendAfter('connect', delay);
      this.retrying(error, delay);
    }
  }

  @HandleCall() status(): DbStatus {
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return {
      connected: this.connection !== undefined,
      attempts: this.attempts,
      failures: this.failures,
      nextAttemptAt: iso(this.nextAttemptAt),
      lastError: this.lastError ?? null,
      connectedAt: iso(this.connectedAt),
    };
  }

  @HandleCall() async query(sql: string): Promise<QueryResult> {
    if (this.connection === undefined) return UNAVAILABLE;
    try {
      return { ok: true, rows: await this.connection.query(sql) };
    } catch (error) {
      if (!(error instanceof ConnectionLostError)) throw error;
      this.connection = undefined;
      this.connectedAt = undefined;
      this.lastError = error.message;
      this.logger.warn(`connection lost (${error.message}); reconnecting`);
      this.self.send('connect');
      return UNAVAILABLE;
    }
  }

  private connected(): void {
    this.nextAttemptAt = undefined;
    this.connectedAt = this.runtime.clock.now();
    this.logger.log(`connected to the database (attempt ${this.attempts})`);
  }

  private retrying(error: unknown, delay: number): void {
    this.nextAttemptAt = this.runtime.clock.now() + delay;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      `connect attempt ${this.attempts} failed: ${this.lastError}; next attempt in ${delay} ms`,
    );
  }
}
