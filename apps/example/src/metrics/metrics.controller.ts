import { Controller, Get } from '@nestjs/common';
import { InjectServer, type ServerRef } from 'nestjs-genserver';
import { MetricsCollector, type MetricsReport } from './metrics-collector.server.js';

/** The collector's ring of samples, and how close its ticks ran to plan. */
@Controller('metrics')
export class MetricsController {
  constructor(@InjectServer(MetricsCollector) private readonly collector: ServerRef<MetricsCollector>) {}

  @Get()
  report(): Promise<MetricsReport> {
    return this.collector.call('report');
  }
}
