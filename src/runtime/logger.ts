/** Where the runtime reports crashes, restarts and dropped messages. The Nest layer passes Nest's Logger. */
export interface RuntimeLogger {
  debug(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Logs warnings and errors to the console; used when the runtime is run without Nest. */
export const consoleLogger: RuntimeLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: (message) => console.warn(message),
  error: (message, error) => console.error(message, error ?? ''),
};
