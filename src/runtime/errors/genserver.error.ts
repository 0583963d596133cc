/** Stable machine-readable codes carried by every error the library throws. */
export type GenServerErrorCode =
  | 'CALL_TIMEOUT'
  | 'SERVER_CRASHED'
  | 'SERVER_NOT_RUNNING'
  | 'UNKNOWN_MESSAGE'
  | 'MAILBOX_FULL'
  | 'INIT_FAILED'
  | 'RESTART_LIMIT'
  | 'INVALID_DEFINITION'
  | 'MAX_CHILDREN'
  | 'ALREADY_STARTED'
  | 'JOB_NOT_FOUND'
  | 'TASK_TIMEOUT'
  | 'TASK_CANCELLED'
  | 'TASKS_STOPPED'
  | 'TASK_SUPERVISOR_NOT_FOUND';

/** Base class of every error thrown by nestjs-genserver; switch on {@link GenServerError.code}. */
export abstract class GenServerError extends Error {
  abstract readonly code: GenServerErrorCode;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
