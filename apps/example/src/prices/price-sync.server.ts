import { Logger } from '@nestjs/common';
import { GenServer, GenServerRuntime, HandleCall, Periodic } from 'nestjs-genserver';
import { PriceFeed, PriceFeedUnavailableError } from './price-feed.js';
import { PricesOptions } from './prices.options.js';

/** One run of the sync, as its history keeps it. */
export type SyncRun = {
  readonly at: string;
  readonly trigger: 'hourly' | 'demo';
  readonly durationMs: number;
} & (
  { readonly result: 'ok'; readonly price: number } | { readonly result: 'failed'; readonly error: string }
);

/** What `GET /prices` shows: the sync's own record of its runs, kept in its state. */
export interface SyncStatus {
  readonly price: number | null;
  readonly lastRunAt: string | null;
  readonly lastDurationMs: number | null;
  readonly lastResult: SyncRun['result'] | null;
  /** Runs and routine failures since this instance started. */
  readonly runs: number;
  readonly failures: number;
  /** The last runs, newest first. */
  readonly history: readonly SyncRun[];
}

/**
 * The reading's hourly sync — `CryptoApp.AccountSync` of "Doing Background Work Using a Native Elixir
 * Approach", every hour on the hour as in "Elixir GenServers for Web Developers" — with no drift however
 * long a run takes. Like the article's `last_run_at`, it keeps what its runs did in its state: a feed
 * that does not answer is routine, recorded as a failed run; anything else crashes the server, which
 * restarts fresh and runs at the next hour (the job's own counters, in `GET /jobs`, count both).
 */
@GenServer()
export class PriceSync {
  private readonly logger = new Logger(PriceSync.name);
  price: number | null = null;
  lastRunAt: string | null = null; // the article's `last_run_at`
  lastDurationMs: number | null = null;
  runs = 0;
  failures = 0;
  history: SyncRun[] = [];

  constructor(
    private readonly feed: PriceFeed,
    private readonly options: PricesOptions,
    private readonly runtime: GenServerRuntime, // its clock is the manual one in tests
  ) {}

  @Periodic('1h', { align: true }) // on the hour (UTC), however long a run takes
  hourly(): Promise<void> {
    return this.sync('hourly');
  }

  @Periodic({
    useFactory: (options: PricesOptions) => ({
      every: options.demoEvery,
      enabled: options.demo,
      name: 'demo',
    }),
    inject: [PricesOptions],
  })
  demo(): Promise<void> {
    return this.sync('demo');
  }

  @HandleCall()
  latest(): SyncStatus {
    const { price, lastRunAt, lastDurationMs, runs, failures, history } = this;
    return {
      price,
      lastRunAt,
      lastDurationMs,
      lastResult: history[0]?.result ?? null,
      runs,
      failures,
      history,
    };
  }

  private async sync(trigger: SyncRun['trigger']): Promise<void> {
    const clock = this.runtime.clock;
    const startedAt = clock.now();
    const at = new Date(startedAt).toISOString();
    let run: SyncRun;
    try {
      this.price = await this.feed.fetch();
      run = { at, trigger, durationMs: clock.now() - startedAt, result: 'ok', price: this.price };
      if (trigger === 'hourly') this.logger.log(`Hourly sync: price ${this.price}`);
    } catch (error) {
      if (!(error instanceof PriceFeedUnavailableError)) throw error; // not routine: let it crash
      run = { at, trigger, durationMs: clock.now() - startedAt, result: 'failed', error: error.message };
      this.failures++;
      this.logger.warn(`${trigger} sync failed: ${error.message}; the next run tries again`);
    }
    this.runs++;
    this.lastRunAt = at;
    this.lastDurationMs = run.durationMs;
    this.history = [run, ...this.history].slice(0, this.options.historySize);
  }
}
