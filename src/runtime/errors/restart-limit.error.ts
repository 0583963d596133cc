import { GenServerError } from './genserver.error.js';

/**
 * A supervisor exceeded its restart intensity and gave up: it stopped its children and, if it has a
 * parent, exited with this error so the parent treats it as a crashed child (escalation).
 */
export class RestartLimitError extends GenServerError {
  readonly code = 'RESTART_LIMIT' as const;

  constructor(
    readonly supervisor: string,
    readonly child: string,
    readonly maxRestarts: number,
    readonly withinMs: number,
    lastExit: string,
  ) {
    super(
      `${supervisor} gave up: ${child} exited (${lastExit}) after ${maxRestarts} restart(s) within ${withinMs} ms. ` +
        `Fix the cause, or raise maxRestarts/withinMs if these exits are expected.`,
    );
  }
}
