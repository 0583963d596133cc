import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { MetricsCollector } from './metrics-collector.server.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsOptions } from './metrics.options.js';
import { MetricsProbe } from './metrics.probe.js';

/** The metrics collector on a fixed rate: `GET /metrics`. */
@Module({
  imports: [GenServerModule.forFeature([MetricsCollector])],
  controllers: [MetricsController],
  providers: [MetricsOptions, MetricsProbe, MetricsCollector],
})
export class MetricsModule {}
