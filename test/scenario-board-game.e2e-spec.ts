/**
 * Scenario: the forum thread's board game ("A GenServer holds the state of a game. Players send actions
 * … If the action is valid, the next state of the game is computed"), and per-entity state from
 * "Elixir GenServers for Web Developers": one process per game.
 *
 * The example app's `GamesModule` (apps/example/src/games/), driven over HTTP. Each tic-tac-toe game is a
 * `GameServer`, a dynamic child keyed by its id (`GenServerModule.forDynamicAsync`, its idle timeout from the
 * injectable `GamesOptions`), found through the
 * `GenServerRegistry`. A refused move — not your turn, a taken cell, off the board, game over, a stranger,
 * a game not started — is a domain outcome: the game REPLIES `{ ok: false, error }`, keeps its state and
 * does not crash; the `Games` service turns it into a 409 or 422 naming the error. A game nobody sent a
 * message to for two minutes is evicted (`idleTimeout`), and every message re-arms that timer.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import type { GenServerHarness } from 'nestjs-genserver/testing';
import { scenarioModule, startScenario } from './scenario-module.js';
import { GameServer } from '../apps/example/src/games/game.server.js';
import { GamesModule } from '../apps/example/src/games/games.module.js';
import { GamesOptions } from '../apps/example/src/games/games.options.js';

const MINUTE = 60_000;

describe('scenario: a board game in its own process', () => {
  let harness: GenServerHarness<INestApplication>;
  let http: ReturnType<typeof request>;
  let log: jest.Spied<Logger['log']>;

  beforeEach(async () => {
    ({ harness, http, log } = await startScenario(scenarioModule(GamesModule)));
  });
  afterEach(async () => {
    await harness.close();
    jest.restoreAllMocks();
  });

  /** Creates a game and seats ana (X, moves first) and bob (O); resolves with its id. */
  async function startGame(): Promise<string> {
    const { body } = await http.post('/games').expect(201);
    await http.post(`/games/${body.id}/join`).send({ player: 'ana' }).expect(200);
    await http.post(`/games/${body.id}/join`).send({ player: 'bob' }).expect(200);
    return body.id;
  }

  /** Plays the moves in turn, `first` first, each answered 200. */
  async function play(id: string, cells: number[], first: 'ana' | 'bob' = 'ana'): Promise<void> {
    for (const [i, cell] of cells.entries()) {
      await http
        .post(`/games/${id}/moves`)
        .send({ player: (i % 2 === 0) === (first === 'ana') ? 'ana' : 'bob', cell })
        .expect(200);
    }
  }

  it('two players join and play to a win', async () => {
    await http.post('/games').expect(201, {
      id: 'game-1',
      status: 'waiting',
      players: [],
      board: [null, null, null, null, null, null, null, null, null],
      rows: ['. . .', '. . .', '. . .'],
      turn: null,
      winner: null,
      draw: false,
    });
    await http.post('/games/game-1/join').send({ player: 'ana' }).expect(200);
    const joined = await http.post('/games/game-1/join').send({ player: 'bob' }).expect(200);
    expect(joined.body).toMatchObject({
      status: 'playing',
      players: [
        { player: 'ana', mark: 'X' },
        { player: 'bob', mark: 'O' },
      ],
      turn: 'ana',
    });

    await play('game-1', [4, 0, 2, 6, 3]);
    const move = await http.post('/games/game-1/moves').send({ player: 'bob', cell: 5 }).expect(200);
    expect(move.body).toMatchObject({ rows: ['O . X', 'X X O', 'O . .'], turn: 'ana' });
    await play('game-1', [1, 8]);
    await http.post('/games/game-1/moves').send({ player: 'ana', cell: 7 }).expect(200);

    await http.get('/games/game-1').expect(200, {
      id: 'game-1',
      status: 'won',
      players: [
        { player: 'ana', mark: 'X' },
        { player: 'bob', mark: 'O' },
      ],
      board: ['O', 'X', 'X', 'X', 'X', 'O', 'O', 'X', 'O'],
      rows: ['O X X', 'X X O', 'O X O'],
      turn: null,
      winner: 'ana',
      draw: false,
    });
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      'game-1 created: waiting for two players',
      'ana joined game-1 as X',
      'bob joined game-1 as O; ana to play',
      'game-1: ana (X) plays 4',
      'game-1: bob (O) plays 0',
      'game-1: ana (X) plays 2',
      'game-1: bob (O) plays 6',
      'game-1: ana (X) plays 3',
      'game-1: bob (O) plays 5',
      'game-1: ana (X) plays 1',
      'game-1: bob (O) plays 8',
      'game-1: ana (X) plays 7',
      'game-1: ana wins',
    ]);
  });

  it('a full board with no line is a draw', async () => {
    const id = await startGame();
    await play(id, [0, 1, 2, 4, 3, 5, 7, 6, 8]);
    const { body } = await http.get(`/games/${id}`).expect(200);
    expect(body).toMatchObject({ status: 'draw', draw: true, winner: null, turn: null });
    expect(body.rows).toEqual(['X O X', 'X O O', 'O X X']);
  });

  it('refuses invalid joins and moves with typed errors (409, 422); the game keeps its state', async () => {
    await http.post('/games').expect(201);
    await http.post('/games/game-1/join').send({ player: 'ana' }).expect(200);
    const refused = (status: number, error: string, message: string) => ({
      statusCode: status,
      error,
      message,
    });

    await http
      .post('/games/game-1/moves')
      .send({ player: 'ana', cell: 4 })
      .expect(409, refused(409, 'NOT_STARTED', 'game-1 waits for two players'));
    await http
      .post('/games/game-1/join')
      .send({})
      .expect(422, refused(422, 'INVALID_PLAYER', 'player must be a non-empty name'));
    await http
      .post('/games/game-1/join')
      .send({ player: 'ana' })
      .expect(409, refused(409, 'ALREADY_JOINED', 'ana already plays in game-1'));
    await http.post('/games/game-1/join').send({ player: 'bob' }).expect(200);
    await http
      .post('/games/game-1/join')
      .send({ player: 'eve' })
      .expect(409, refused(409, 'GAME_FULL', 'game-1 already has two players'));

    await play('game-1', [4]);
    const before = (await http.get('/games/game-1').expect(200)).body;
    await http
      .post('/games/game-1/moves')
      .send({ player: 'eve', cell: 0 })
      .expect(422, refused(422, 'UNKNOWN_PLAYER', 'eve does not play in game-1'));
    for (const cell of [9, -1, 1.5, '3', null]) {
      await http
        .post('/games/game-1/moves')
        .send({ player: 'bob', cell })
        .expect(422, refused(422, 'OUT_OF_RANGE', 'cell must be an integer from 0 to 8'));
    }
    await http
      .post('/games/game-1/moves')
      .send({ player: 'ana', cell: 0 })
      .expect(409, refused(409, 'NOT_YOUR_TURN', "it is bob's turn"));
    await http
      .post('/games/game-1/moves')
      .send({ player: 'bob', cell: 4 })
      .expect(409, refused(409, 'CELL_TAKEN', 'cell 4 is taken'));
    await http.get('/games/game-1').expect(200, before);

    // The process never crashed: same instance, state kept, and the game goes on from where it was.
    expect(harness.events.types(GameServer, 'game-1')).toEqual(['started']);
    expect(harness.info(GameServer, 'game-1')).toMatchObject({ restarts: 0, incarnation: 1 });
    await play('game-1', [0, 2, 1, 6], 'bob'); // X: 4, 2, 6 — a diagonal
    expect((await http.get('/games/game-1').expect(200)).body).toMatchObject({
      status: 'won',
      winner: 'ana',
    });
    await http
      .post('/games/game-1/moves')
      .send({ player: 'bob', cell: 8 })
      .expect(409, refused(409, 'GAME_OVER', 'game-1 is over'));
  });

  it('keeps one process per game, listed by GET /games; an unknown id is a 404', async () => {
    const first = await startGame();
    const second = await startGame();
    await play(first, [4]);
    await play(second, [0]);

    await http.get('/games').expect(200, [
      { id: 'game-1', status: 'running', restarts: 0 },
      { id: 'game-2', status: 'running', restarts: 0 },
    ]);
    expect((await harness.getState(GameServer, 'game-1')).board[4]).toBe('X');
    expect((await harness.getState(GameServer, 'game-2')).board[0]).toBe('X');

    await http.get('/games/game-9').expect(404);
    await http.post('/games/game-9/join').send({ player: 'ana' }).expect(404);
    await http.post('/games/game-9/moves').send({ player: 'ana', cell: 0 }).expect(404);
  });

  it('evicts a game after two quiet minutes; every move re-arms the timer', async () => {
    const id = await startGame();
    await play(id, [4]);

    await harness.advanceBy(2 * MINUTE - 1);
    await play(id, [0], 'bob'); // a move just in time: two more minutes from now
    await harness.advanceBy(2 * MINUTE - 1);
    // GET /games asks the supervisor, not the game: it does not re-arm the timer.
    await http.get('/games').expect(200, [{ id, status: 'running', restarts: 0 }]);

    await harness.advanceBy(1);
    await http.get('/games').expect(200, []);
    await http.get(`/games/${id}`).expect(404);
    await http.post(`/games/${id}/moves`).send({ player: 'ana', cell: 8 }).expect(404);
    expect(harness.events.types(GameServer, id)).toEqual(['started', 'stopped']);
    expect(log).toHaveBeenLastCalledWith('game-1 closed: no message for 2m (idle timeout)');
  });

  it('takes its idle timeout from GamesOptions, which a test (or configuration) can change', async () => {
    await harness.close();
    ({ harness, http } = await startScenario(
      scenarioModule(GamesModule).overrideProvider(GamesOptions).useValue({ idleTimeout: '10s' }),
    ));
    const id = await startGame();
    await harness.advanceBy('10s');
    await http.get(`/games/${id}`).expect(404);
    expect(log).toHaveBeenLastCalledWith('game-1 closed: no message for 10s (idle timeout)');
  });
});
