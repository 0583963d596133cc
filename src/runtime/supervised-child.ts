import { type ExitReason, describeExit, isNormalExit } from './exit-reason.js';
import type { RuntimeLogger } from './logger.js';
import type { RestartType, ServerInfo } from './server-spec.js';
import type { DynamicSupervisorInfo } from './dynamic-supervisor.js';
import type { SupervisorInfo } from './supervisor.js';
import type { TaskSupervisorInfo } from './tasks/task-supervisor.js';

/**
 * Decides what happens after a child exits. Returns true when it will restart the child (messages sent
 * meanwhile then wait for the new instance); false makes the exit final.
 */
export type ExitListener = (child: SupervisedChild, reason: ExitReason) => boolean;

/** A snapshot of a child: a server, a nested supervisor, a dynamic supervisor or a task supervisor. */
export type ChildInfo = ServerInfo | SupervisorInfo | DynamicSupervisorInfo | TaskSupervisorInfo;

/** What a supervisor needs from a child: a {@link ServerProcess} or another {@link Supervisor}. */
export interface SupervisedChild {
  readonly name: string;
  readonly restartType: RestartType;
  readonly shutdownTimeout: number;
  /** The lifecycle state (`ServerStatus` or `SupervisorStatus`). */
  readonly status: string;
  setExitListener(listener: ExitListener | undefined): void;
  start(): Promise<void>;
  /** Starts a fresh incarnation after an exit; resolves true if it is running afterwards. */
  restart(): Promise<boolean>;
  /**
   * Stops it. `forRestart`: the supervisor will start it again, so queued and newly sent messages are
   * kept for the next instance.
   */
  stop(
    reason?: ExitReason,
    options?: { timeout?: number; drain?: boolean; forRestart?: boolean },
  ): Promise<void>;
  /** Ends it at once, without `@Terminate` (its subtree too): used when stopping took too long. */
  kill(): void;
  info(): ChildInfo;
}

/**
 * OTP's restart rule: `permanent` always, `transient` after an abnormal exit, `temporary` never. A crash
 * that will not be restarted is logged here, once, naming the supervisor that let it go.
 */
export function restartWanted(
  child: string,
  restartType: RestartType,
  reason: ExitReason,
  supervisor: string,
  logger: RuntimeLogger,
): boolean {
  if (restartType === 'permanent' || (restartType === 'transient' && !isNormalExit(reason))) return true;
  if (typeof reason !== 'string') {
    logger.error(
      `${child} ${describeExit(reason)}; it is ${restartType}, so ${supervisor} does not restart it`,
      reason.error,
    );
  }
  return false;
}
