/** One request of the tour the app prints on start (and that its e2e spec replays in order). */
export interface TourStop {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: Readonly<Record<string, unknown>>;
  /** What to look at, printed after the command. */
  readonly note?: string;
  /** The statuses a visitor may see here, e.g. 503 from the database before it is up. */
  readonly answers: readonly number[];
}

/** The scenarios of the showcase, each with the requests that show it working, in the order to try them. */
export const TOUR: ReadonlyArray<{ readonly scenario: string; readonly stops: readonly TourStop[] }> = [
  {
    scenario: 'Hourly price sync, on the hour without drift (plus a demo run every 10 s)',
    stops: [
      {
        method: 'GET',
        path: '/prices',
        note: 'last run, duration, result, history, failures',
        answers: [200],
      },
      {
        method: 'GET',
        path: '/jobs',
        note: 'every periodic job: next run, last run, counts',
        answers: [200],
      },
      { method: 'POST', path: '/jobs/PriceSync.demo/pause', note: '(and /resume, /trigger)', answers: [204] },
      { method: 'POST', path: '/jobs/PriceSync.demo/resume', answers: [204] },
    ],
  },
  {
    scenario: 'A board game per process, under a DynamicSupervisor and the Registry; idle games are evicted',
    stops: [
      {
        method: 'POST',
        path: '/games',
        note: 'a tic-tac-toe game in its own process: game-1',
        answers: [201],
      },
      { method: 'POST', path: '/games/game-1/join', body: { player: 'ana' }, answers: [200] },
      { method: 'POST', path: '/games/game-1/join', body: { player: 'bob' }, answers: [200] },
      { method: 'POST', path: '/games/game-1/moves', body: { player: 'ana', cell: 4 }, answers: [200] },
      {
        method: 'POST',
        path: '/games/game-1/moves',
        body: { player: 'ana', cell: 0 },
        note: 'not her turn: refused with a 409, the game goes on',
        answers: [409],
      },
      { method: 'GET', path: '/games/game-1', note: 'board, players, turn, winner', answers: [200] },
      {
        method: 'GET',
        path: '/games',
        note: 'running games; one quiet for 2 minutes is evicted',
        answers: [200],
      },
    ],
  },
  {
    scenario: 'A cache owned by a server, swept of expired entries every 5 s',
    stops: [
      { method: 'PUT', path: '/cache/greeting', body: { value: 'hi', ttlMs: 8000 }, answers: [200] },
      {
        method: 'GET',
        path: '/cache/greeting',
        note: '404 once its TTL passed, even before a sweep',
        answers: [200],
      },
      {
        method: 'GET',
        path: '/cache',
        note: 'size, hits, misses, expired not yet swept, swept',
        answers: [200],
      },
    ],
  },
  {
    scenario:
      'Account setup: two supervised transient tasks against flaky fake services, retried with backoff',
    stops: [
      {
        method: 'POST',
        path: '/accounts',
        body: { email: 'ann@example.com', city: 'Brno' },
        note: '202 at once; the CRM fails twice and is retried after 1 s, then 2 s',
        answers: [202],
      },
      {
        method: 'POST',
        path: '/accounts',
        body: { email: 'bob+crm-down@example.com' },
        note: 'the CRM stays down: 3 retries, then the task gives up (logged once)',
        answers: [202],
      },
      {
        method: 'GET',
        path: '/accounts/1',
        note: 'CRM id, fulfillment center, each task and its attempts',
        answers: [200],
      },
      {
        method: 'GET',
        path: '/accounts/tasks',
        note: 'the task supervisor: started, succeeded, failed',
        answers: [200],
      },
    ],
  },
  {
    scenario:
      'A database connection owner that backs off 1, 2, 4 … 30 s while the database is down (the first 5 s)',
    stops: [
      { method: 'GET', path: '/db', note: 'connected, attempts, next attempt, last error', answers: [200] },
      {
        method: 'GET',
        path: '/db/query?sql=select%201',
        note: '503 while unconnected, then rows',
        answers: [200, 503],
      },
      {
        method: 'POST',
        path: '/db/down',
        note: '(and /db/up) the next query notices; the owner backs off again',
        answers: [200],
      },
      { method: 'POST', path: '/db/up', answers: [200] },
    ],
  },
  {
    scenario: 'An order state machine that refuses invalid transitions',
    stops: [
      {
        method: 'POST',
        path: '/orders',
        note: 'an order in its own process: order-1, pending',
        answers: [201],
      },
      { method: 'POST', path: '/orders/order-1/pay', note: '(ship, deliver, cancel)', answers: [200] },
      { method: 'POST', path: '/orders/order-1/deliver', note: 'paid, not shipped: a 409', answers: [409] },
      { method: 'GET', path: '/orders', note: 'every order and its status', answers: [200] },
    ],
  },
  {
    scenario: 'A cache warmer with an idle timeout, and a metrics collector at a fixed rate',
    stops: [
      {
        method: 'GET',
        path: '/products',
        note: 'served from memory; warmed again if it cooled down',
        answers: [200],
      },
      { method: 'GET', path: '/products/mug', answers: [200] },
      {
        method: 'GET',
        path: '/warmer',
        note: 'warm? loads; cools after 30 s without requests',
        answers: [200],
      },
      {
        method: 'GET',
        path: '/metrics',
        note: 'every 5 s: memory, event-loop delay, servers; planned vs actual',
        answers: [200],
      },
    ],
  },
  {
    scenario: 'A counter: one message at a time, loaded on start, saved on shutdown',
    stops: [
      { method: 'POST', path: '/counter/increment', body: { by: 5 }, answers: [201] },
      { method: 'GET', path: '/counter', answers: [200] },
    ],
  },
  {
    scenario: 'The supervision tree, and crashes on purpose',
    stops: [
      {
        method: 'GET',
        path: '/tree',
        note: 'status, mailbox, restarts and last crash of every server',
        answers: [200],
      },
      {
        method: 'POST',
        path: '/debug/crash/PriceSync',
        note: 'then GET /tree: restarts 1, a fresh uptime',
        answers: [202],
      },
      {
        method: 'POST',
        path: '/debug/crash/GameServer?key=game-1',
        note: 'a dynamic child, by key',
        answers: [202],
      },
    ],
  },
];

/** The curl command of a stop against `url`, with its note. */
export function curl(url: string, stop: TourStop): string {
  const target = stop.path.includes('?') ? `"${url}${stop.path}"` : `${url}${stop.path}`;
  const parts = ['curl', ...(stop.method === 'GET' ? [] : ['-X', stop.method]), target];
  if (stop.body !== undefined) {
    parts.push(`-H 'content-type: application/json' -d '${JSON.stringify(stop.body)}'`);
  }
  const command = parts.join(' ');
  return stop.note === undefined ? command : `${command.padEnd(60)}  # ${stop.note}`;
}

/** What the app logs on start: where to look, and every request of the tour. */
export function tourText(url: string): string {
  const lines = [`nestjs-genserver showcase on ${url}. Each scenario, and what to try:`];
  for (const { scenario, stops } of TOUR) {
    lines.push('', `  ${scenario}`, ...stops.map((stop) => `    ${curl(url, stop)}`));
  }
  lines.push(
    '',
    '  The logs below show each scenario at work: retries, backoff, sweeps, evictions, crashes.',
  );
  return lines.join('\n');
}
