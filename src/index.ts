export * from './decorators/index.js';
export { GenServerModule } from './genserver.module.js';
export { GenServerRuntime, type GenServerSnapshot } from './genserver.runtime.js';
export { GENSERVER_MODULE_OPTIONS } from './genserver.constants.js';
export * from './interfaces/genserver-module-options.interface.js';
export * from './interfaces/genserver-options.interface.js';
export * from './server-ref.js';
export { getServerToken } from './server-token.js';
export * from './runtime/index.js';
