import type { Type } from '@nestjs/common';
import { badDynamicOption, badModuleOption, badServerOption } from './genserver.messages.js';
import type { DynamicSupervisorModuleOptions } from './interfaces/dynamic-supervisor-options.interface.js';
import type { GenServerModuleOptions } from './interfaces/genserver-module-options.interface.js';
import type { GenServerOptions } from './interfaces/genserver-options.interface.js';
import { checkBackoff } from './runtime/backoff.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import { mailboxBoundProblem } from './runtime/mailbox-bound.js';
import { parseDuration } from './runtime/periodic/duration.js';

/**
 * Checks of the options objects the Nest layer takes (`@GenServer`, `forRoot`, `forDynamic`), run once
 * at bootstrap so a wrong value fails it with an {@link InvalidDefinitionError} naming the option, the
 * value and its owner — instead of a runtime `RangeError` later, or one blamed on the wrong owner.
 */

const RESTART_TYPES: readonly unknown[] = ['permanent', 'transient', 'temporary'];
const STRATEGIES: readonly unknown[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const TIMEOUT = 'a number of ms >= 0 or Infinity';

/** Checks `@GenServer(options)` of `className`. */
export function checkServerOptions(className: string, options: GenServerOptions): void {
  const fail = (detail: string): never => {
    throw new InvalidDefinitionError(badServerOption(className, detail));
  };
  if (!isPlainObject(options)) return fail(`expected an options object, got ${describe(options)}`);
  const { name, callTimeout, initTimeout, shutdownTimeout, restart, whileRestarting, restartBuffer } =
    options;
  if (name !== undefined && !(typeof name === 'string' && name.length > 0)) {
    fail(`name must be a non-empty string, got ${describe(name)}`);
  }
  const timeouts = { callTimeout, initTimeout, shutdownTimeout };
  for (const [key, value] of Object.entries(timeouts)) {
    if (value !== undefined && !isTimeout(value)) fail(`${key} must be ${TIMEOUT}, got ${describe(value)}`);
  }
  if (restart !== undefined && !RESTART_TYPES.includes(restart)) {
    fail(`restart must be 'permanent', 'transient' or 'temporary', got ${describe(restart)}`);
  }
  if (whileRestarting !== undefined && whileRestarting !== 'wait' && whileRestarting !== 'reject') {
    fail(`whileRestarting must be 'wait' or 'reject', got ${describe(whileRestarting)}`);
  }
  if (
    restartBuffer !== undefined &&
    !(restartBuffer === Infinity || (Number.isInteger(restartBuffer) && restartBuffer >= 0))
  ) {
    fail(
      `restartBuffer must be an integer >= 0 or Infinity (a count of messages), got ${describe(restartBuffer)}`,
    );
  }
  const mailboxProblem = mailboxBoundProblem(options.mailbox);
  if (mailboxProblem !== undefined) fail(mailboxProblem);
}

/** Checks the options of `GenServerModule.forRoot()` / what `forRootAsync()`'s factory returned. */
export function checkModuleOptions(options: GenServerModuleOptions): void {
  const fail = (detail: string): never => {
    throw new InvalidDefinitionError(badModuleOption(detail));
  };
  if (!isPlainObject(options)) return fail(`expected an options object, got ${describe(options)}`);
  const { callTimeout, shutdownTimeout, drainOnShutdown, strategy, maxRestarts, withinMs } = options;
  for (const [key, value] of Object.entries({ callTimeout, shutdownTimeout })) {
    if (value !== undefined && !isTimeout(value)) fail(`${key} must be ${TIMEOUT}, got ${describe(value)}`);
  }
  if (drainOnShutdown !== undefined && typeof drainOnShutdown !== 'boolean') {
    fail(`drainOnShutdown must be true or false, got ${describe(drainOnShutdown)}`);
  }
  if (strategy !== undefined && !STRATEGIES.includes(strategy)) {
    fail(`strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one', got ${describe(strategy)}`);
  }
  checkIntensity(maxRestarts, withinMs, fail);
  if (options.backoff !== undefined) {
    try {
      checkBackoff('root', options.backoff);
    } catch (error) {
      fail((error as Error).message.replace(/^root: /, ''));
    }
  }
  const { clock, random } = options;
  if (
    clock !== undefined &&
    !(
      clock !== null &&
      typeof clock === 'object' &&
      typeof clock.now === 'function' &&
      typeof clock.setTimer === 'function' &&
      typeof clock.clearTimer === 'function'
    )
  ) {
    fail(
      `clock must be a Clock (now, setTimer, clearTimer), e.g. new ManualClock() or new SystemClock(), ` +
        `got ${describe(clock)}`,
    );
  }
  if (random !== undefined && typeof random !== 'function') {
    fail(`random must be a function returning a number in [0, 1), got ${describe(random)}`);
  }
}

/** Checks the options of `GenServerModule.forDynamic(server, options)` (or what `forDynamicAsync` resolved). */
export function checkDynamicOptions(server: Type<object>, options: DynamicSupervisorModuleOptions): void {
  const fail = (detail: string): never => {
    throw new InvalidDefinitionError(badDynamicOption(server.name, detail));
  };
  if (!isPlainObject(options)) return fail(`expected an options object, got ${describe(options)}`);
  const { name, maxChildren, idleTimeout, maxRestarts, withinMs } = options;
  if (name !== undefined && !(typeof name === 'string' && name.length > 0)) {
    fail(`name must be a non-empty string, got ${describe(name)}`);
  }
  if (
    maxChildren !== undefined &&
    !(maxChildren === Infinity || (Number.isInteger(maxChildren) && maxChildren >= 1))
  ) {
    fail(`maxChildren must be an integer >= 1 (omit it for no limit), got ${describe(maxChildren)}`);
  }
  if (idleTimeout !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(idleTimeout, 'idleTimeout');
    } catch (error) {
      return fail((error as Error).message);
    }
    if (!(ms > 0))
      fail(
        `idleTimeout must be longer than 0 ms (omit it to never stop idle children), got ${describe(idleTimeout)}`,
      );
  }
  checkIntensity(maxRestarts, withinMs, fail);
}

function checkIntensity(maxRestarts: unknown, withinMs: unknown, fail: (detail: string) => never): void {
  if (maxRestarts !== undefined && !(Number.isInteger(maxRestarts) && (maxRestarts as number) >= 0)) {
    fail(`maxRestarts must be an integer >= 0, got ${describe(maxRestarts)}`);
  }
  if (withinMs !== undefined && !(typeof withinMs === 'number' && withinMs > 0)) {
    fail(`withinMs must be a number of ms > 0, got ${describe(withinMs)}`);
  }
}

function isTimeout(value: unknown): boolean {
  return value === Infinity || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

function isPlainObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as an error message shows it. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return 'an array';
  return value.constructor && value.constructor !== Object ? `a ${value.constructor.name}` : 'an object';
}
