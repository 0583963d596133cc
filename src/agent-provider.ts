import type { FactoryProvider, InjectionToken, OptionalFactoryDependency } from '@nestjs/common';
import { type AgentToken, assertAgentToken } from './agent-token.js';
import { badAgentOptions } from './genserver.messages.js';
import { GenServerRuntime } from './genserver.runtime.js';
import { type Agent, type AgentOptions, checkAgentOptions } from './runtime/agent.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';

/** The initial state of an agent from a value (used as is at every start) or a function (called at each). */
export interface AgentInitialOptions<S> extends AgentOptions {
  /**
   * The initial state, or a function that computes it on every (re)start. A value is reused as is at
   * every start: give a mutable object as a function (`() => new Map()`), so a restart starts afresh.
   */
  readonly initial: S | (() => S | PromiseLike<S>);
  readonly useFactory?: never;
  readonly inject?: never;
}

/** The initial state of an agent from a factory with Nest dependencies. */
export interface AgentFactoryOptions<S> extends AgentOptions {
  /**
   * Computes the initial state from the `inject` dependencies, on every (re)start of the agent. The
   * dependencies are resolved once, when the provider is created.
   */
  readonly useFactory: (...deps: never[]) => S | PromiseLike<S>;
  /** Providers handed to `useFactory`, in order (as a Nest factory provider's `inject`). */
  readonly inject?: readonly (InjectionToken | OptionalFactoryDependency)[];
  readonly initial?: never;
}

/** Options of {@link provideAgent}: where the initial state comes from, and the agent's timeouts. */
export type ProvideAgentOptions<S> = AgentInitialOptions<S> | AgentFactoryOptions<S>;

/**
 * A provider of the agent declared by `token`: put it in a module's `providers` (and `token.token` in
 * its `exports` to share it). The agent is a child of the root supervisor, started before every
 * GenServer (so servers can use it from `@Init`) and stopped after them. It is `permanent` unless
 * `restart` says otherwise: a crash restarts it with a fresh initial state. Requires
 * `GenServerModule.forRoot()`.
 *
 * @example
 * export const Settings = defineAgent<{ theme: string }>('settings');
 *
 * @Module({
 *   providers: [
 *     provideAgent(HitCounter, { initial: 0 }),
 *     provideAgent(Settings, {
 *       useFactory: (config: ConfigService) => ({ theme: config.get('THEME') ?? 'light' }),
 *       inject: [ConfigService],
 *     }),
 *   ],
 *   exports: [HitCounter.token],
 * })
 * export class StatsModule {}
 */
export function provideAgent<S>(
  token: AgentToken<S>,
  options: ProvideAgentOptions<S>,
): FactoryProvider<Agent<S>> {
  assertAgentToken(token, 'provideAgent()');
  const { name } = token;
  const fail = (detail: string): InvalidDefinitionError =>
    new InvalidDefinitionError(badAgentOptions(name, detail));
  if (options === null || typeof options !== 'object') {
    throw fail(`expected { initial } or { useFactory, inject? }, got ${String(options)}`);
  }
  const { initial, useFactory, inject, ...agentOptions } = options as {
    initial?: unknown;
    useFactory?: unknown;
    inject?: unknown;
  } & AgentOptions;
  const hasInitial = 'initial' in options;
  if (hasInitial === (useFactory !== undefined)) {
    throw fail(
      'give exactly one of initial (the initial state, or a function that computes it) and useFactory ' +
        '(with inject for its dependencies)',
    );
  }
  if (!hasInitial && typeof useFactory !== 'function') throw fail(`useFactory must be a function`);
  if (inject !== undefined && (hasInitial || !Array.isArray(inject))) {
    throw fail(hasInitial ? 'inject goes with useFactory, not initial' : 'inject must be an array of tokens');
  }
  try {
    checkAgentOptions(name, agentOptions);
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (hasInitial) {
    const make = typeof initial === 'function' ? (initial as () => S | PromiseLike<S>) : () => initial as S;
    return {
      provide: token.token,
      useFactory: (runtime: GenServerRuntime) => runtime.registerAgent(name, make, agentOptions),
      inject: [GenServerRuntime],
    };
  }
  const factory = useFactory as (...deps: unknown[]) => S | PromiseLike<S>;
  return {
    provide: token.token,
    useFactory: (runtime: GenServerRuntime, ...deps: unknown[]) =>
      runtime.registerAgent(name, () => factory(...deps), agentOptions),
    inject: [
      GenServerRuntime,
      ...((inject as (InjectionToken | OptionalFactoryDependency)[] | undefined) ?? []),
    ],
  };
}
