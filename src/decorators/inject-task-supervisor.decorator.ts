import { Inject } from '@nestjs/common';
import { getTaskSupervisorToken } from '../server-token.js';

/**
 * Injects a {@link TaskSupervisorRef}: the default task supervisor (`tasks`), always there, or the one
 * named `name`, which a module must declare with `GenServerModule.forTaskSupervisor(name)` (imported
 * where it is injected). An unknown name fails bootstrap with Nest's "can't resolve dependencies" error
 * naming `TaskSupervisor(name)`.
 *
 * @example
 * constructor(@InjectTaskSupervisor() private readonly tasks: TaskSupervisorRef) {}
 * constructor(@InjectTaskSupervisor('account-setup') private readonly setup: TaskSupervisorRef) {}
 */
export function InjectTaskSupervisor(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getTaskSupervisorToken(name));
}
