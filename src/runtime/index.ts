/**
 * The process runtime: servers, mailboxes, a supervisor and clocks, with no Nest dependency.
 * Nest users normally reach it through decorators; it is exported for direct use and for tests.
 */
export * from './backoff.js';
export {
  Agent,
  agentChildSpec,
  agentSpec,
  type AgentOptions,
  type AgentStartOptions,
  type AgentState,
} from './agent.js';
export * from './clock.js';
export { DeferredReply } from './deferred-reply.js';
export { DrainScheduler, SLICE, defaultScheduler } from './drain-scheduler.js';
export * from './dynamic-supervisor.js';
export * from './errors/index.js';
export * from './exit-reason.js';
export * from './lifecycle-event.js';
export * from './logger.js';
export * from './manual-clock.js';
export * from './periodic/duration.js';
export * from './periodic/schedule.js';
export type { OverlapPolicy, PeriodicJob, PeriodicJobInfo, PeriodicSpec } from './periodic/periodic-job.js';
export * from './registry.js';
export {
  ServerProcess,
  type ProcessIdentity,
  type ServerProcessOptions,
  type StopOptions,
} from './server-process.js';
export * from './supervised-child.js';
export type { ServerTimer } from './server-timer.js';
export type { TaskRunner } from './server-template.js';
export * from './server-spec.js';
export * from './supervisor.js';
export * from './system-clock.js';
export * from './tasks/index.js';
