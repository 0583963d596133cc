import { Inject, type Type } from '@nestjs/common';
import { getServerToken } from '../server-token.js';
import { assertServerClass } from './server-class-check.js';

/**
 * Injects the `ServerRef<T>` of a GenServer: the only way to talk to it, through its mailbox.
 * The injecting module must import `GenServerModule.forFeature([Server])`.
 *
 * @example
 * constructor(@InjectServer(Counter) private readonly counter: ServerRef<Counter>) {}
 */
export function InjectServer(server: Type<object>): PropertyDecorator & ParameterDecorator {
  assertServerClass(server, 'InjectServer');
  return Inject(getServerToken(server));
}
