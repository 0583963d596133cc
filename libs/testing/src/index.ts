/**
 * `nestjs-genserver/testing`: test GenServers, periodic jobs and supervision trees with
 * `@nestjs/testing` on a manual clock — deterministic, fast, no sleeps — with a harness to drive them
 * and mocks for any server.
 */
export { GenServerHarness, type ServerHandle } from './genserver-harness.js';
export {
  GenServerTesting,
  type GenServerHttpTestingOptions,
  type GenServerTestingOptions,
} from './genserver-testing.js';
export { LifecycleRecorder, type EventTarget } from './lifecycle-recorder.js';
export { NotIdleError, type BusyServer } from './not-idle.error.js';
export type { MockImplementation, ServerMock, SpyFactory } from './server-mock.js';
