export type { AsyncStreamOptions, StreamResult } from './async-stream.js';
export type { StartedTask, Task, TaskFn, TaskInfo, TaskOptions, TaskOutcome, TaskStatus } from './task.js';
export {
  TaskSupervisor,
  type TaskSupervisorInfo,
  type TaskSupervisorOptions,
  type TaskSupervisorStatus,
} from './task-supervisor.js';
