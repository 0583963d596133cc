import { Injectable, Module } from '@nestjs/common';
import type { Duration } from 'nestjs-genserver';

/**
 * The demo settings of the games, read at bootstrap by `GenServerModule.forDynamicAsync`. A game nobody
 * sent a message to for `idleTimeout` is evicted: two minutes, so a visitor sees it happen
 * (GAME_IDLE_TIMEOUT changes it, e.g. `30s`). Tests override the provider.
 */
@Injectable()
export class GamesOptions {
  idleTimeout: Duration = process.env.GAME_IDLE_TIMEOUT ?? '2m';
}

/** Provides {@link GamesOptions} to `forDynamicAsync`'s factory, which resolves in its own module. */
@Module({ providers: [GamesOptions], exports: [GamesOptions] })
export class GamesOptionsModule {}
