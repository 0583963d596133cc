import {
  ConflictException,
  HttpStatus,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  type DynamicSupervisorRef,
  GenServerRegistry,
  InjectDynamicSupervisor,
  type ServerRef,
  ServerNotRunningError,
} from 'nestjs-genserver';
import { type GameArgs, type GameReply, GameServer, type GameView } from './game.server.js';
import type { GameErrorCode } from './tic-tac-toe.js';

/** A request the game can never accept is a 422; one it refuses in its current state, a 409. */
const UNPROCESSABLE: ReadonlySet<GameErrorCode> = new Set([
  'INVALID_PLAYER',
  'UNKNOWN_PLAYER',
  'OUT_OF_RANGE',
]);

/** A running game, as `GET /games` lists it. */
export interface GameListing {
  readonly id: string;
  readonly status: string;
  readonly restarts: number;
}

/**
 * Creates games, one process each, finds them by id through the registry, and turns their replies into
 * results or HTTP exceptions.
 */
@Injectable()
export class Games {
  private created = 0;

  constructor(
    @InjectDynamicSupervisor(GameServer)
    private readonly games: DynamicSupervisorRef<GameServer, GameArgs>,
    private readonly registry: GenServerRegistry,
  ) {}

  /** Starts a game under the next free id, `game-<n>`. */
  async create(): Promise<GameView> {
    let id: string;
    do id = `game-${++this.created}`;
    while (this.registry.lookup(GameServer, id) !== undefined);
    const game = await this.games.startChild({ id }, { key: id });
    return game.call('view');
  }

  /** Seats a player; the second one starts the game. */
  join(id: string, player: unknown): Promise<GameView> {
    return this.ask(id, (game) => game.call('join', player));
  }

  /** Plays a move; a refused one is a 409 or 422 naming the game's error code. */
  move(id: string, player: unknown, cell: unknown): Promise<GameView> {
    return this.ask(id, (game) => game.call('move', player, cell));
  }

  /** The game's board, players, turn and outcome. */
  async get(id: string): Promise<GameView> {
    return this.ask(id, async (game) => ({ ok: true, game: await game.call('view') }));
  }

  /** The running games, from the supervisor: no message reaches them, so listing keeps none alive. */
  list(): GameListing[] {
    return this.games
      .whichChildren()
      .map(({ key, status, restarts }) => ({ id: key as string, status, restarts }));
  }

  private async ask(
    id: string,
    send: (game: ServerRef<GameServer>) => Promise<GameReply>,
  ): Promise<GameView> {
    const game = this.registry.lookup(GameServer, id);
    if (game === undefined) throw new NotFoundException(`no game ${id}`);
    let reply: GameReply;
    try {
      reply = await send(game);
    } catch (error) {
      // Evicted between the lookup and the call: gone, as if the lookup had missed it.
      if (error instanceof ServerNotRunningError) throw new NotFoundException(`no game ${id}`);
      throw error;
    }
    if (reply.ok) return reply.game;
    const { code, message } = reply.error;
    if (UNPROCESSABLE.has(code)) {
      throw new UnprocessableEntityException({
        statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
        error: code,
        message,
      });
    }
    throw new ConflictException({ statusCode: HttpStatus.CONFLICT, error: code, message });
  }
}
