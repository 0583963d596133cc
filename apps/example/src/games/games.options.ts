/**
 * The demo settings of the games. A game nobody sent a message to for `idleTimeoutMs` is evicted: two
 * minutes, so a visitor sees it happen (GAME_IDLE_TIMEOUT_MS changes it). A plain value, read when the
 * module is defined: `GenServerModule.forDynamic()` takes its options as values, not from DI.
 */
export const GAMES_OPTIONS = {
  idleTimeoutMs: Number(process.env.GAME_IDLE_TIMEOUT_MS ?? 2 * 60_000),
} as const;
