import { Inject, type Type } from '@nestjs/common';
import { getDynamicSupervisorToken } from '../server-token.js';
import { assertServerClass } from './server-class-check.js';

/**
 * Injects the `DynamicSupervisorRef<T>` that starts, finds and stops dynamic children of a GenServer
 * class. The injecting module (or one it imports) must import `GenServerModule.forDynamic(Server)`.
 *
 * @example
 * constructor(@InjectDynamicSupervisor(GameServer) private readonly games: DynamicSupervisorRef<GameServer, GameArgs>) {}
 */
export function InjectDynamicSupervisor(server: Type<object>): PropertyDecorator & ParameterDecorator {
  assertServerClass(server, 'InjectDynamicSupervisor');
  return Inject(getDynamicSupervisorToken(server));
}
