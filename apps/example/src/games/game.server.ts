import { Logger } from '@nestjs/common';
import { type ExitReason, GenServer, HandleCall, Init, Terminate } from 'nestjs-genserver';
import { GamesOptions } from './games.options.js';
import { type Cell, GameError, type GameStatus, isCell, type Mark, winnerOf } from './tic-tac-toe.js';

/** The start arguments of a game. */
export interface GameArgs {
  readonly id: string;
}

/** What `GET /games/:id` shows. */
export interface GameView {
  readonly id: string;
  readonly status: GameStatus;
  readonly players: { readonly player: string; readonly mark: Mark }[];
  /** Cells 0–8, row by row. */
  readonly board: Cell[];
  /** The board as three lines, for curl: `X O .`. */
  readonly rows: string[];
  /** Whose move it is, while the game is being played. */
  readonly turn: string | null;
  readonly winner: string | null;
  readonly draw: boolean;
}

/** What a join or a move replies: the game after it, or the refusal as a value. */
export type GameReply = { ok: true; game: GameView } | { ok: false; error: GameError };

const MARKS: readonly Mark[] = ['X', 'O'];

/**
 * One tic-tac-toe game in its own process, a dynamic child keyed by the game id: its state is only
 * touched one message at a time, so two players moving at once cannot both take a cell. A refused
 * move is REPLIED as `{ ok: false, error }` and the game keeps its state; throwing would crash it.
 */
@GenServer({ restart: 'transient' })
export class GameServer {
  private readonly logger = new Logger(GameServer.name);
  id = '';
  players: string[] = [];
  board: Cell[] = Array<Cell>(9).fill(null);
  status: GameStatus = 'waiting';
  winner: string | null = null;
  private moves = 0;

  constructor(private readonly options: GamesOptions) {}

  @Init() open({ id }: GameArgs): void {
    this.id = id;
    this.logger.log(`${id} created: waiting for two players`);
  }

  /** Seats `player` (what arrived over HTTP: checked here); the second one starts the game. */
  @HandleCall() join(player: unknown): GameReply {
    if (typeof player !== 'string' || player.trim() === '') {
      return this.refuse(new GameError('INVALID_PLAYER', 'player must be a non-empty name'));
    }
    if (this.players.includes(player)) {
      return this.refuse(new GameError('ALREADY_JOINED', `${player} already plays in ${this.id}`));
    }
    if (this.players.length === MARKS.length) {
      return this.refuse(new GameError('GAME_FULL', `${this.id} already has two players`));
    }
    this.players.push(player);
    if (this.players.length === MARKS.length) this.status = 'playing';
    this.logger.log(
      `${player} joined ${this.id} as ${this.markOf(player)}` +
        (this.status === 'playing' ? `; ${this.players[0]} to play` : ''),
    );
    return { ok: true, game: this.view() };
  }

  /** Puts `player`'s mark on `cell` (0–8), if the rules allow it. */
  @HandleCall() move(player: unknown, cell: unknown): GameReply {
    const refused = this.check(player, cell);
    if (refused !== undefined) return this.refuse(refused);
    const mark = this.markOf(player as string);
    this.board[cell as number] = mark;
    this.moves++;
    this.logger.log(`${this.id}: ${String(player)} (${mark}) plays ${String(cell)}`);
    if (winnerOf(this.board) !== undefined) {
      this.status = 'won';
      this.winner = player as string;
      this.logger.log(`${this.id}: ${this.winner} wins`);
    } else if (this.moves === this.board.length) {
      this.status = 'draw';
      this.logger.log(`${this.id}: draw`);
    }
    return { ok: true, game: this.view() };
  }

  @HandleCall() view(): GameView {
    return {
      id: this.id,
      status: this.status,
      players: this.players.map((player) => ({ player, mark: this.markOf(player) })),
      board: [...this.board],
      rows: [0, 3, 6].map((row) => [0, 1, 2].map((col) => this.board[row + col] ?? '.').join(' ')),
      turn: this.status === 'playing' ? (this.players[this.moves % 2] ?? null) : null,
      winner: this.winner,
      draw: this.status === 'draw',
    };
  }

  /** Reason `normal` is the idle eviction: the only way a game stops on its own. */
  @Terminate() close(reason: ExitReason): void {
    if (reason === 'normal') {
      this.logger.log(`${this.id} closed: no message for ${this.options.idleTimeout} (idle timeout)`);
    }
  }

  private check(player: unknown, cell: unknown): GameError | undefined {
    if (this.status === 'won' || this.status === 'draw') {
      return new GameError('GAME_OVER', `${this.id} is over`);
    }
    if (this.status === 'waiting') {
      return new GameError('NOT_STARTED', `${this.id} waits for two players`);
    }
    if (typeof player !== 'string' || !this.players.includes(player)) {
      return new GameError('UNKNOWN_PLAYER', `${String(player)} does not play in ${this.id}`);
    }
    if (!isCell(cell)) return new GameError('OUT_OF_RANGE', `cell must be an integer from 0 to 8`);
    const turn = this.players[this.moves % 2];
    if (player !== turn) return new GameError('NOT_YOUR_TURN', `it is ${turn}'s turn`);
    if (this.board[cell] !== null) return new GameError('CELL_TAKEN', `cell ${cell} is taken`);
    return undefined;
  }

  private refuse(error: GameError): GameReply {
    this.logger.warn(`${this.id}: refused: ${error.message}`);
    return { ok: false, error };
  }

  private markOf(player: string): Mark {
    return MARKS[this.players.indexOf(player)] as Mark;
  }
}
