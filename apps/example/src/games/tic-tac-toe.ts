/** A player's mark: the first to join plays X and moves first. */
export type Mark = 'X' | 'O';

/** A cell of the 3×3 board, 0–8 row by row: a mark, or null while free. */
export type Cell = Mark | null;

/** Where a game is: waiting for its second player, being played, or over. */
export type GameStatus = 'waiting' | 'playing' | 'won' | 'draw';

/** Why a join or a move is refused. */
export type GameErrorCode =
  | 'INVALID_PLAYER'
  | 'ALREADY_JOINED'
  | 'GAME_FULL'
  | 'NOT_STARTED'
  | 'UNKNOWN_PLAYER'
  | 'OUT_OF_RANGE'
  | 'NOT_YOUR_TURN'
  | 'CELL_TAKEN'
  | 'GAME_OVER';

/** A refused join or move: a domain outcome, replied by the game as a value, never thrown there. */
export class GameError extends Error {
  constructor(
    readonly code: GameErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The rows, columns and diagonals that win. */
const LINES = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
] as const;

/** The mark that owns a whole line, if any. */
export function winnerOf(board: readonly Cell[]): Mark | undefined {
  for (const [a, b, c] of LINES) {
    const mark = board[a];
    if (mark !== null && mark !== undefined && mark === board[b] && mark === board[c]) return mark;
  }
  return undefined;
}

/** True for a cell number on the board: an integer from 0 to 8. */
export function isCell(cell: unknown): cell is number {
  return Number.isInteger(cell) && (cell as number) >= 0 && (cell as number) <= 8;
}
