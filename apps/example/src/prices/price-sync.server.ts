import { GenServer, GenServerRuntime, HandleCall, Periodic } from 'nestjs-genserver';
import { PriceFeed } from './price-feed.js';

/** What the last sync did. */
export interface LastSync {
  readonly at: string;
  readonly price: number;
  readonly durationMs: number;
  readonly trigger: 'hourly' | 'demo';
}

/**
 * The reading's hourly price sync: at the top of every hour, with no drift however long a sync takes.
 * A fast demo schedule (every 10 s, or PRICE_DEMO_EVERY) makes something visibly happen at once; it is
 * read at bootstrap through a factory, as a ConfigService value would be.
 */
@GenServer()
export class PriceSync {
  private last: LastSync | undefined;
  private syncs = 0;

  constructor(
    private readonly feed: PriceFeed,
    private readonly runtime: GenServerRuntime,
  ) {}

  @Periodic('1h', { align: true })
  hourly(): Promise<void> {
    return this.sync('hourly');
  }

  @Periodic({ useFactory: () => ({ every: process.env.PRICE_DEMO_EVERY ?? '10s', name: 'demo' }) })
  demo(): Promise<void> {
    return this.sync('demo');
  }

  @HandleCall()
  latest(): { syncs: number; last: LastSync | null } {
    return { syncs: this.syncs, last: this.last ?? null };
  }

  private async sync(trigger: LastSync['trigger']): Promise<void> {
    const clock = this.runtime.clock;
    const started = clock.now();
    const price = await this.feed.fetch();
    this.syncs++;
    this.last = { at: new Date(started).toISOString(), price, durationMs: clock.now() - started, trigger };
  }
}
