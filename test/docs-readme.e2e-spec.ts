/** README.md's example and its test, verbatim (but for import lines), and what the README says they do. */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  HandleCall,
  Init,
  InjectServer,
  Periodic,
  type ServerRef,
} from 'nestjs-genserver';
import { GenServerTesting } from 'nestjs-genserver/testing';
import request from 'supertest';

/** The upstream the cache reads: here a counter of fetches, so each refresh has a new price. */
@Injectable()
class PriceFeed {
  fetches = 0;
  async fetchAll(): Promise<Map<string, number>> {
    this.fetches++;
    return new Map([['ACME', 100 + this.fetches]]);
  }
}

@GenServer()
export class PriceCache {
  private prices = new Map<string, number>();

  constructor(private readonly feed: PriceFeed) {} // plain Nest DI

  @Init() // before the first message, and again after every restart
  @Periodic('1h', { align: true }) // on the hour, no drift; never while get() runs
  async refresh(): Promise<void> {
    this.prices = await this.feed.fetchAll();
  }

  @HandleCall()
  get(symbol: string): number | undefined {
    return this.prices.get(symbol);
  }
}

@Controller('prices')
export class PricesController {
  constructor(@InjectServer(PriceCache) private readonly cache: ServerRef<PriceCache>) {}

  @Get(':symbol')
  get(@Param('symbol') symbol: string) {
    return this.cache.call('get', symbol); // typed: the method name, its arguments and its reply
  }
}

@Module({
  imports: [GenServerModule.forRoot(), GenServerModule.forFeature([PriceCache])],
  providers: [PriceFeed, PriceCache],
  controllers: [PricesController],
})
export class AppModule {}

describe('README.md', () => {
  it('the test of the example: a day is 24 refreshes, each on the hour', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }), {
      now: '2026-03-05T10:17:42Z',
    });
    await harness.advanceBy('24h');
    expect(harness.job('PriceCache.refresh').runs).toBe(24); // 11:00, 12:00, … 10:00 the next day
    await harness.close();
  });

  it('loads before the first request, then serves what the last hourly refresh fetched', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }), {
      http: true,
      now: '2026-03-05T10:17:42Z',
    });
    const http = request(harness.app.getHttpServer());
    await http.get('/prices/ACME').expect(200, '101'); // @Init's fetch
    await harness.advanceTo('2026-03-05T10:59:59.999Z');
    await http.get('/prices/ACME').expect(200, '101');
    await harness.advanceTo('2026-03-05T11:00:00Z');
    await http.get('/prices/ACME').expect(200, '102');
    expect(harness.job('PriceCache.refresh')).toMatchObject({
      runs: 1,
      lastRunAt: Date.parse('2026-03-05T11:00:00Z'),
      nextRunAt: Date.parse('2026-03-05T12:00:00Z'),
    });
    await http.get('/prices/NOPE').expect(200, '');
    await harness.close();
  });
});
