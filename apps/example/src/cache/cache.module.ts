import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { CacheController } from './cache.controller.js';
import { CacheOptions } from './cache.options.js';
import { CacheServer } from './cache.server.js';

/** The cache with a periodic sweeper: `PUT/GET/DELETE /cache/:key`, `GET /cache`. */
@Module({
  imports: [GenServerModule.forFeature([CacheServer])],
  controllers: [CacheController],
  providers: [CacheOptions, CacheServer],
})
export class CacheModule {}
