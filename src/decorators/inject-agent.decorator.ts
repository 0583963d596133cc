import { Inject } from '@nestjs/common';
import { type AgentToken, assertAgentToken } from '../agent-token.js';

/**
 * Injects the `Agent<S>` declared by `token`. The agent is provided with `provideAgent(token, ...)` in
 * this module, or in a module that exports `token.token` and is imported here.
 *
 * @example
 * constructor(@InjectAgent(HitCounter) private readonly hits: Agent<number>) {}
 */
export function InjectAgent<S>(token: AgentToken<S>): PropertyDecorator & ParameterDecorator {
  assertAgentToken(token, '@InjectAgent()');
  return Inject(token.token);
}
