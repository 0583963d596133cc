export {
  provideAgent,
  type AgentFactoryOptions,
  type AgentInitialOptions,
  type ProvideAgentOptions,
} from './agent-provider.js';
export { defineAgent, type AgentToken } from './agent-token.js';
export * from './decorators/index.js';
export { DynamicSupervisorRef } from './dynamic-supervisor-ref.js';
export { GenServerRegistry } from './genserver-registry.js';
export { GenServerModule } from './genserver.module.js';
export { GenServerRuntime, type DynamicAgentOptions, type GenServerSnapshot } from './genserver.runtime.js';
export { GENSERVER_MODULE_OPTIONS, GENSERVER_TESTING } from './genserver.constants.js';
export * from './interfaces/genserver-testing.interface.js';
export * from './interfaces/dynamic-supervisor-options.interface.js';
export * from './interfaces/genserver-module-options.interface.js';
export * from './interfaces/genserver-options.interface.js';
export * from './interfaces/periodic-options.interface.js';
export { PeriodicRegistry } from './periodic-registry.js';
export { SelfRef } from './self-ref.js';
export { TaskSupervisorRef } from './task-supervisor-ref.js';
export * from './interfaces/task-supervisor-options.interface.js';
export * from './interfaces/supervised-options.interface.js';
export * from './server-ref.js';
export { getDynamicSupervisorToken, getServerToken, getTaskSupervisorToken } from './server-token.js';
export { SupervisionTree } from './supervision-tree.service.js';
export * from './runtime/index.js';
