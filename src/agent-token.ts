import { badAgentName, notAnAgentToken } from './genserver.messages.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';

declare const agentState: unique symbol;

/**
 * Names an agent and carries its state type, so `provideAgent` and `@InjectAgent` agree on it. Made by
 * {@link defineAgent}.
 */
export interface AgentToken<S> {
  /** The agent's name, as in logs, errors and the supervision tree. */
  readonly name: string;
  /** The Nest injection token (`nestjs-genserver:agent:<name>`): for `exports` and `overrideProvider`. */
  readonly token: string;
  /** Type-level only: ties the token to the agent's state type. Never set. */
  readonly [agentState]?: (state: S) => S;
}

/**
 * Declares an agent: its name and state type. Provide it with `provideAgent(token, ...)` and inject it
 * with `@InjectAgent(token)`.
 *
 * @example
 * export const HitCounter = defineAgent<number>('hits');
 */
export function defineAgent<S>(name: string): AgentToken<S> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidDefinitionError(badAgentName('defineAgent()', describe(name)));
  }
  return Object.freeze({ name, token: `nestjs-genserver:agent:${name}` });
}

/** @internal Throws unless `value` is a token made by {@link defineAgent}. */
export function assertAgentToken(value: unknown, where: string): asserts value is AgentToken<unknown> {
  const token = value as Partial<AgentToken<unknown>> | null | undefined;
  if (
    token === null ||
    typeof token !== 'object' ||
    typeof token.name !== 'string' ||
    token.token !== `nestjs-genserver:agent:${token.name}`
  ) {
    throw new InvalidDefinitionError(notAnAgentToken(where, describe(value)));
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return `the function ${value.name || '(anonymous)'}`;
  return value !== null && typeof value === 'object' ? 'an object' : String(value);
}
