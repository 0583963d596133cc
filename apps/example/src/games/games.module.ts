import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { GameServer } from './game.server.js';
import { GamesController } from './games.controller.js';
import { GamesOptions, GamesOptionsModule } from './games.options.js';
import { Games } from './games.service.js';

/** Board games: one `GameServer` per game under its dynamic supervisor, evicted when left idle. */
@Module({
  imports: [
    GamesOptionsModule,
    GenServerModule.forDynamicAsync(GameServer, {
      imports: [GamesOptionsModule],
      useFactory: (options: GamesOptions) => ({ idleTimeout: options.idleTimeout }),
      inject: [GamesOptions],
    }),
  ],
  providers: [Games],
  controllers: [GamesController],
})
export class GamesModule {}
