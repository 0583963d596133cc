import { Injectable, Logger } from '@nestjs/common';
import {
  InjectTaskSupervisor,
  type StartedTask,
  type TaskSupervisorRef,
  type TaskStatus,
} from 'nestjs-genserver';
import { Crm } from './fake-crm.js';
import { Fulfillment } from './fake-fulfillment.js';
import { type User, Users } from './users.store.js';

/** Retried when it fails: up to 3 times a minute, 1 s, 2 s, 4 s apart; then the task gives up. */
export const RETRIED = {
  restart: 'transient',
  maxRestarts: 3,
  withinMs: 60_000,
  backoff: { minMs: 1000, maxMs: 30_000 },
} as const;

/** The two steps of an account's setup. */
export type SetupStep = 'crm' | 'fulfillment';

/** Where one step of a user's setup is: its task's status, the attempts made, the last failure. */
export interface StepProgress {
  readonly status: TaskStatus;
  readonly attempts: number;
  readonly lastError: string | null;
}

interface Tracked {
  task?: StartedTask;
  attempts: number;
  lastError: string | null;
}

/**
 * The reading's `YourApp.AccountSetupSupervisor`: once a user is saved, its setup runs as two
 * independent transient tasks on the `account-setup` task supervisor, retried with a backoff. A failure
 * is logged by the supervisor, once, saying whether it retries or gives up; a success is logged here.
 */
@Injectable()
export class AccountSetup {
  private readonly logger = new Logger(AccountSetup.name);
  private readonly steps = new Map<number, Record<SetupStep, Tracked>>();

  constructor(
    @InjectTaskSupervisor('account-setup') readonly tasks: TaskSupervisorRef,
    private readonly users: Users,
    private readonly crm: Crm,
    private readonly fulfillment: Fulfillment,
  ) {}

  /** `set_up_user_account/1`: called once the user is saved; returns at once. */
  setUp(user: User): void {
    this.steps.set(user.id, {
      crm: this.run(`crm:${user.id}`, (signal) => this.createInCrm(user, signal)),
      fulfillment: this.run(`fulfillment:${user.id}`, (signal) => this.assignCenter(user, signal)),
    });
  }

  /** Where each step of the user's setup is, or undefined for a user never set up. */
  progress(userId: number): Record<SetupStep, StepProgress> | undefined {
    const steps = this.steps.get(userId);
    if (steps === undefined) return undefined;
    const view = ({ task, attempts, lastError }: Tracked): StepProgress => ({
      status: task?.status ?? 'running',
      attempts,
      lastError,
    });
    return { crm: view(steps.crm), fulfillment: view(steps.fulfillment) };
  }

  private async createInCrm(user: User, signal: AbortSignal): Promise<string> {
    const crmId = await this.crm.createUser(user, signal);
    this.users.update(user.id, { crmId });
    return `created in the CRM as ${crmId}`;
  }

  private async assignCenter(user: User, signal: AbortSignal): Promise<string> {
    const fulfillmentCenter = await this.fulfillment.nearestCenter(user, signal);
    this.users.update(user.id, { fulfillmentCenter });
    return `nearest fulfillment center is ${fulfillmentCenter}`;
  }

  /** Starts a retried task that records its attempts and last failure (rethrown: the supervisor logs it). */
  private run(name: string, step: (signal: AbortSignal) => Promise<string>): Tracked {
    const tracked: Tracked = { attempts: 0, lastError: null };
    tracked.task = this.tasks.start(
      async (signal, attempt) => {
        tracked.attempts = attempt;
        try {
          this.logger.log(`${name}: ${await step(signal)} (attempt ${attempt})`);
        } catch (error) {
          tracked.lastError = error instanceof Error ? error.message : String(error);
          throw error;
        }
      },
      { name, ...RETRIED },
    );
    return tracked;
  }
}
