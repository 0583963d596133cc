import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { CacheWarmer } from './cache-warmer.server.js';
import { ProductDatabase } from './product-database.js';
import { WarmerController } from './warmer.controller.js';
import { WarmerOptions } from './warmer.options.js';

/** The cache warmer with an idle timeout: `GET /products`, `GET /products/:id`, `GET /warmer`. */
@Module({
  imports: [GenServerModule.forFeature([CacheWarmer])],
  controllers: [WarmerController],
  providers: [ProductDatabase, WarmerOptions, CacheWarmer],
})
export class WarmerModule {}
