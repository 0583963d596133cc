export * from './genserver.decorator.js';
export * from './handle-call.decorator.js';
export * from './handle-cast.decorator.js';
export * from './handle-info.decorator.js';
export * from './init.decorator.js';
export * from './inject-server.decorator.js';
export * from './terminate.decorator.js';
export * from './supervised.decorator.js';
