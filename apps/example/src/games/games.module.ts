import { Module } from '@nestjs/common';
import { GenServerModule } from 'nestjs-genserver';
import { GameServer } from './game.server.js';
import { GamesController } from './games.controller.js';
import { GAMES_OPTIONS } from './games.options.js';
import { Games } from './games.service.js';

/** Board games: one `GameServer` per game under its dynamic supervisor, evicted when left idle. */
@Module({
  imports: [GenServerModule.forDynamic(GameServer, { idleTimeout: GAMES_OPTIONS.idleTimeoutMs })],
  providers: [Games],
  controllers: [GamesController],
})
export class GamesModule {}
