export const GENSERVER_METADATA = 'nestjs-genserver:server';
export const SUPERVISED_METADATA = 'nestjs-genserver:supervised';
export const HANDLE_CALL_METADATA = 'nestjs-genserver:handle-call';
export const HANDLE_CAST_METADATA = 'nestjs-genserver:handle-cast';
export const HANDLE_INFO_METADATA = 'nestjs-genserver:handle-info';
export const INIT_METADATA = 'nestjs-genserver:init';
export const TERMINATE_METADATA = 'nestjs-genserver:terminate';
export const SERVER_TOKEN_METADATA = 'nestjs-genserver:server-token';

/** Injection token of the resolved {@link GenServerModuleOptions}. */
export const GENSERVER_MODULE_OPTIONS = Symbol('GENSERVER_MODULE_OPTIONS');
export const DYNAMIC_TOKEN_METADATA = 'nestjs-genserver:dynamic-supervisor-token';
export const PERIODIC_METADATA = 'nestjs-genserver:periodic';
export const ON_IDLE_METADATA = 'nestjs-genserver:on-idle';
export const INJECT_SELF_METADATA = 'nestjs-genserver:inject-self';

/**
 * Injection token of the `GenServerTestingHooks`: empty in an application, overridden by
 * `nestjs-genserver/testing` (`GenServerTesting.configure`) to put the tree on a manual clock, start
 * part of it, record its events and replace servers with mocks.
 */
export const GENSERVER_TESTING = Symbol('GENSERVER_TESTING');
/** Handler decorators put on a member that is not an instance method, reported at bootstrap. */
export const MISPLACED_METADATA = 'nestjs-genserver:misplaced';
