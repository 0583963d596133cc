import { Injectable } from '@nestjs/common';
import { GenServerRuntime } from './genserver.runtime.js';
import { JobNotFoundError } from './runtime/errors/job-not-found.error.js';
import type { PeriodicJob, PeriodicJobInfo } from './runtime/periodic/periodic-job.js';

/**
 * Every `@Periodic` job of the application, by name (`Server.method`, or `Server[key].method` for a
 * dynamic child): list them with their next run, last run, duration and counters, pause and resume
 * them, or run one now. What `SchedulerRegistry` is to `@nestjs/schedule`.
 *
 * @example
 * constructor(private readonly jobs: PeriodicRegistry) {}
 * this.jobs.pause('PriceSync.sync');
 * this.jobs.trigger('PriceSync.sync'); // runs it now, through the server's mailbox
 */
@Injectable()
export class PeriodicRegistry {
  constructor(private readonly runtime: GenServerRuntime) {}

  /** Every job with its schedule, status, next/last run, last duration and counters. */
  list(): PeriodicJobInfo[] {
    return this.runtime.periodicJobs().map((job) => job.info());
  }

  /** One job's state. Throws {@link JobNotFoundError} for an unknown name. */
  get(name: string): PeriodicJobInfo {
    return this.find(name).info();
  }

  /** Stops the job's ticks until `resume`; a run in progress finishes. Survives restarts of its server. */
  pause(name: string): void {
    this.find(name).pause();
  }

  /** Resumes a paused (or `enabled: false`) job; ticks continue on its schedule from now. */
  resume(name: string): void {
    this.find(name).resume();
  }

  /**
   * Queues a run now, behind what the server's mailbox already holds (the overlap policy does not apply).
   * Returns false if its server is not running.
   */
  trigger(name: string): boolean {
    return this.find(name).trigger();
  }

  private find(name: string): PeriodicJob {
    const job = this.runtime.findPeriodicJob(name);
    if (job !== undefined) return job;
    throw new JobNotFoundError(
      name,
      this.runtime.periodicJobs().map((j) => j.name),
    );
  }
}
