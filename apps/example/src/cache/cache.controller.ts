import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
} from '@nestjs/common';
import { InjectServer, type ServerRef } from 'nestjs-genserver';
import { type CacheStats, type CachedValue, CacheServer } from './cache.server.js';

/** The body of `PUT /cache/:key`. */
export interface PutEntryBody {
  readonly value?: unknown;
  readonly ttlMs?: number;
}

/** The cache over HTTP: put with a TTL, get (404 once expired), delete, and its counters. */
@Controller('cache')
export class CacheController {
  constructor(@InjectServer(CacheServer) private readonly cache: ServerRef<CacheServer>) {}

  @Get()
  stats(): Promise<CacheStats> {
    return this.cache.call('stats');
  }

  @Put(':key')
  put(@Param('key') key: string, @Body() body: PutEntryBody = {}): Promise<CachedValue> {
    if (body?.value === undefined) throw new BadRequestException('the body needs a value: { "value": … }');
    const ttl = body.ttlMs;
    if (ttl !== undefined && !(typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0)) {
      throw new BadRequestException(`ttlMs must be a number of milliseconds > 0, got ${JSON.stringify(ttl)}`);
    }
    return this.cache.call('put', key, body.value, ttl);
  }

  @Get(':key')
  async get(@Param('key') key: string): Promise<CachedValue> {
    const entry = await this.cache.call('get', key);
    if (entry === undefined) throw new NotFoundException(`no live entry under '${key}'`);
    return entry;
  }

  @Delete(':key')
  @HttpCode(204)
  async delete(@Param('key') key: string): Promise<void> {
    if (!(await this.cache.call('delete', key))) throw new NotFoundException(`no live entry under '${key}'`);
  }
}
