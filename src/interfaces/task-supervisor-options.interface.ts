/** Options of a task supervisor declared with `GenServerModule.forTaskSupervisor(name, options)`. */
export interface TaskSupervisorModuleOptions {
  /**
   * At shutdown, how long running tasks may go on before they are aborted, in ms (default: the module's
   * `shutdownTimeout`, 5000).
   */
  shutdownTimeout?: number;
}
