import type { ExitReason } from './exit-reason.js';
import type { RestartType, ServerInfo } from './server-spec.js';

/**
 * Decides what happens after a child exits. Returns true when it will restart the child (messages sent
 * meanwhile then wait for the new instance); false makes the exit final.
 */
export type ExitListener = (child: SupervisedChild, reason: ExitReason) => boolean;

/** What a supervisor needs from a child; {@link ServerProcess} is one. */
export interface SupervisedChild {
  readonly name: string;
  readonly restartType: RestartType;
  readonly shutdownTimeout: number;
  setExitListener(listener: ExitListener | undefined): void;
  start(): Promise<void>;
  restart(): Promise<void>;
  stop(reason?: ExitReason, options?: { timeout?: number; drain?: boolean }): Promise<void>;
  info(): ServerInfo;
}
