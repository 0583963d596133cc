import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { PriceFeed } from './price-feed.js';
import { PriceSync } from './price-sync.server.js';
import { PricesController } from './prices.controller.js';

@Module({
  imports: [GenServerModule.forFeature([PriceSync])],
  controllers: [PricesController],
  providers: [PriceSync, PriceFeed],
})
export class PricesModule {}
