import { GenServerError } from './genserver.error.js';

/** No task supervisor has the name asked for (`GenServerRuntime.taskSupervisor(name)`). */
export class TaskSupervisorNotFoundError extends GenServerError {
  readonly code = 'TASK_SUPERVISOR_NOT_FOUND' as const;

  constructor(
    readonly supervisor: string,
    known: readonly string[],
  ) {
    super(
      `No task supervisor named '${supervisor}'. Declare it with GenServerModule.forTaskSupervisor('${supervisor}') ` +
        `in the module that uses it. Known: ${known.join(', ')}.`,
    );
  }
}
