import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Games } from './games.service.js';

/** Tic-tac-toe over HTTP: create a game, join it twice, play moves, watch it. */
@Controller('games')
export class GamesController {
  constructor(private readonly games: Games) {}

  @Post()
  create() {
    return this.games.create();
  }

  @Get()
  list() {
    return this.games.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.games.get(id);
  }

  /** Body `{ "player": "ana" }`; the first to join plays X. */
  @Post(':id/join')
  @HttpCode(200)
  join(@Param('id') id: string, @Body() body: { player?: unknown } = {}) {
    return this.games.join(id, body?.player);
  }

  /** Body `{ "player": "ana", "cell": 4 }`, cells 0–8 row by row. */
  @Post(':id/moves')
  @HttpCode(200)
  move(@Param('id') id: string, @Body() body: { player?: unknown; cell?: unknown } = {}) {
    return this.games.move(id, body?.player, body?.cell);
  }
}
