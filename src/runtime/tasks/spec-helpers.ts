import type { RuntimeLogger } from '../logger.js';
import { turn } from '../spec-helpers.js';

/** Shared by the task specs (not part of the build). */

export interface LogLine {
  readonly level: 'debug' | 'log' | 'warn' | 'error';
  readonly message: string;
  readonly error?: unknown;
}

/** A logger that keeps every line. */
export class RecordingLogger implements RuntimeLogger {
  readonly lines: LogLine[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string, error?: unknown): void {
    this.lines.push({ level: 'error', message, error });
  }
  /** The messages logged at `level`. */
  at(level: LogLine['level']): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

/**
 * Fails the current spec file's tests on any unhandled rejection seen by `process`. Under Jest the
 * sandbox's `process` does not receive these events, but Jest 30 fails the running test on one itself;
 * the listener covers runners that do deliver them.
 */
export function failOnUnhandledRejections(): void {
  let unhandled: unknown[] = [];
  const listener = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', listener);
  });
  afterEach(async () => {
    await turn();
    process.off('unhandledRejection', listener);
    expect(unhandled).toEqual([]);
  });
}

/** A promise with its resolve and reject at hand. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A promise that never settles. */
export const never = <T = never>(): Promise<T> => new Promise<T>(() => undefined);
