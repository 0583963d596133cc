import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { DatabaseController } from './database.controller.js';
import { DatabaseOptions } from './database.options.js';
import { DbConnection } from './db-connection.server.js';
import { FakeDatabase } from './fake-database.js';

/**
 * A GenServer that owns the database connection and reconnects with exponential backoff: `GET /db`,
 * `GET /db/query?sql=…` (or `POST /db/query`), `POST /db/down`, `POST /db/up`.
 */
@Module({
  imports: [GenServerModule.forFeature([DbConnection])],
  controllers: [DatabaseController],
  providers: [DatabaseOptions, FakeDatabase, DbConnection],
})
export class DatabaseModule {}
