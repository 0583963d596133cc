import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { InjectServer, PeriodicRegistry, type PeriodicJobInfo, ServerRef } from 'nestjs-genserver';
import { PriceSync, type SyncStatus } from './price-sync.server.js';

/** The price sync's record of its runs, and the app's periodic jobs: list, pause, resume, run now. */
@Controller()
export class PricesController {
  constructor(
    @InjectServer(PriceSync) private readonly prices: ServerRef<PriceSync>,
    private readonly jobs: PeriodicRegistry,
  ) {}

  @Get('prices')
  latest(): Promise<SyncStatus> {
    return this.prices.call('latest');
  }

  @Get('jobs')
  list(): PeriodicJobInfo[] {
    return this.jobs.list();
  }

  @Post('jobs/:name/trigger')
  @HttpCode(202)
  trigger(@Param('name') name: string): { queued: boolean } {
    return { queued: this.jobs.trigger(name) };
  }

  @Post('jobs/:name/pause')
  @HttpCode(204)
  pause(@Param('name') name: string): void {
    this.jobs.pause(name);
  }

  @Post('jobs/:name/resume')
  @HttpCode(204)
  resume(@Param('name') name: string): void {
    this.jobs.resume(name);
  }
}
