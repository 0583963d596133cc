import { GenServerError } from './genserver.error.js';

/** A task supervisor that is stopping or stopped refused a new task (`start`, `async`, `asyncStream`). */
export class TaskSupervisorStoppedError extends GenServerError {
  readonly code = 'TASKS_STOPPED' as const;

  constructor(
    readonly supervisor: string,
    /** `stopping` or `stopped`. */
    readonly status: string,
  ) {
    super(
      `${supervisor} is ${status} and refuses new tasks; the task was not started. Tasks can only be ` +
        `started while it runs: check the application is not shutting down.`,
    );
  }
}
