import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectServer, type ServerRef } from 'nestjs-genserver';
import { type DbStatus, DbConnection } from './db-connection.server.js';
import { FakeDatabase } from './fake-database.js';

/**
 * The connection owner's status, queries through it (503 while it has no connection), and switches that
 * take the fake database down and up.
 */
@Controller('db')
export class DatabaseController {
  constructor(
    @InjectServer(DbConnection) private readonly db: ServerRef<DbConnection>,
    private readonly database: FakeDatabase,
  ) {}

  /** The owner's view (connected, attempts, next attempt) and whether the database is really up. */
  @Get()
  async status(): Promise<DbStatus & { database: 'up' | 'down' }> {
    return { ...(await this.db.call('status')), database: this.database.isUp() ? 'up' : 'down' };
  }

  /** `GET /db/query?sql=select 1`. */
  @Get('query')
  queryByUrl(@Query('sql') sql?: string): Promise<{ rows: unknown[] }> {
    return this.query(sql);
  }

  /** `POST /db/query` with `{ sql }`. */
  @Post('query')
  @HttpCode(200)
  queryByBody(@Body() body: { sql?: string } = {}): Promise<{ rows: unknown[] }> {
    return this.query(body?.sql);
  }

  /** Takes the database down: open connections drop; the owner notices at its next query. */
  @Post('down')
  @HttpCode(200)
  down(): { database: 'down' } {
    this.database.goDown();
    return { database: 'down' };
  }

  /** Brings the database up: the owner connects at its next scheduled attempt. */
  @Post('up')
  @HttpCode(200)
  up(): { database: 'up' } {
    this.database.comeUp();
    return { database: 'up' };
  }

  private async query(sql: unknown): Promise<{ rows: unknown[] }> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new BadRequestException('sql is required');
    const result = await this.db.call('query', sql);
    if (!result.ok) throw new ServiceUnavailableException(result.error);
    return { rows: result.rows };
  }
}
