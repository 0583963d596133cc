export * from './call-timeout.error.js';
export * from './genserver.error.js';
export * from './init-failed.error.js';
export * from './invalid-definition.error.js';
export * from './restart-limit.error.js';
export * from './server-crashed.error.js';
export * from './server-not-running.error.js';
export * from './unknown-message.error.js';
