import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { GenServerError } from 'nestjs-genserver';
import type { Response } from 'express';

const STATUS: Record<GenServerError['code'], number> = {
  CALL_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  SERVER_CRASHED: HttpStatus.INTERNAL_SERVER_ERROR,
  SERVER_NOT_RUNNING: HttpStatus.SERVICE_UNAVAILABLE,
  UNKNOWN_MESSAGE: HttpStatus.BAD_REQUEST,
  MAILBOX_FULL: HttpStatus.TOO_MANY_REQUESTS,
  INIT_FAILED: HttpStatus.SERVICE_UNAVAILABLE,
  RESTART_LIMIT: HttpStatus.SERVICE_UNAVAILABLE,
  INVALID_DEFINITION: HttpStatus.INTERNAL_SERVER_ERROR,
  MAX_CHILDREN: HttpStatus.SERVICE_UNAVAILABLE,
  ALREADY_STARTED: HttpStatus.CONFLICT,
  JOB_NOT_FOUND: HttpStatus.NOT_FOUND,
  TASK_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  TASK_CANCELLED: HttpStatus.SERVICE_UNAVAILABLE,
  TASKS_STOPPED: HttpStatus.SERVICE_UNAVAILABLE,
  TASK_SUPERVISOR_NOT_FOUND: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** Turns the library's typed errors into HTTP answers that say what happened. */
@Catch(GenServerError)
export class GenServerErrorsFilter implements ExceptionFilter {
  catch(error: GenServerError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.status(STATUS[error.code]).json({ error: error.code, message: error.message });
  }
}
