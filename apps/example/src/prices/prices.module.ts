import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { PriceFeed } from './price-feed.js';
import { PriceSync } from './price-sync.server.js';
import { PricesOptions } from './prices.options.js';
import { PricesController } from './prices.controller.js';

/** The hourly price sync and its jobs: `GET /prices`, `GET /jobs`, `POST /jobs/:name/pause|resume|trigger`. */
@Module({
  imports: [GenServerModule.forFeature([PriceSync])],
  controllers: [PricesController],
  providers: [PricesOptions, PriceFeed, PriceSync],
})
export class PricesModule {}
