import type { Clock, TimerHandle } from '../clock.js';
import type { Schedule } from './schedule.js';

/** What a tick meets when the previous tick of the same job is still queued or running. */
export type OverlapPolicy = 'skip' | 'queue';

/** One periodic job of a server, as the runtime runs it. */
export interface PeriodicSpec<T = object> {
  /** The job's name within its server (the method name by default). */
  readonly name: string;
  /** The method run on each tick, with `this` bound to the instance. */
  readonly handler: (this: T) => unknown;
  readonly schedule: Schedule;
  /** Run once as soon as the server is running (after each `@Init`, restarts included). */
  readonly runOnInit?: boolean;
  /** Each tick is delayed by a random 0..jitter ms (never early; the schedule itself does not move). */
  readonly jitterMs?: number;
  /**
   * `skip` (default): a tick that comes while the previous run is queued or running is dropped and
   * counted in `skipped`. `queue`: one such tick waits behind the running one (never more than one).
   */
  readonly overlap?: OverlapPolicy;
  /**
   * After a stall (the event loop blocked past one or more ticks), run every missed tick, one after
   * another (default false: run one and count the others in `missed`).
   */
  readonly catchUp?: boolean;
  /** False starts the job paused; `resume()` starts it (default true). */
  readonly enabled?: boolean;
  /**
   * `message` (default): each run is a message in the server's mailbox. `task`: each run starts as a
   * supervised task (the handler gets an `AbortSignal`), so long work neither delays the schedule nor
   * blocks the mailbox; it runs beside the server's messages, so it should send results back (a cast)
   * rather than change fields. A failing run is logged and counted; it does not crash the server.
   */
  readonly runAs?: 'message' | 'task';
}

/** A point-in-time view of one periodic job. */
export interface PeriodicJobInfo {
  /** `Server.method` (`Server[key].method` for a keyed dynamic child). */
  readonly name: string;
  /** Human form of the schedule, e.g. `every 10m, fixed rate` or `cron '0 * * * *' (Europe/Prague)`. */
  readonly schedule: string;
  /** `scheduled` (a tick is armed or runs), `paused`, or `stopped` (its server is not running). */
  readonly status: 'scheduled' | 'paused' | 'stopped';
  /** When the next tick fires (epoch ms, jitter included), if one is armed. */
  readonly nextRunAt?: number;
  /** When the last run started (epoch ms). */
  readonly lastRunAt?: number;
  /** How long the last finished run took, in ms. */
  readonly lastDurationMs?: number;
  /** Runs started (ticks, runOnInit, triggers). */
  readonly runs: number;
  /** Ticks dropped because the previous run was still queued or running. */
  readonly skipped: number;
  /** Ticks that fell inside a stall of the event loop and were not run. */
  readonly missed: number;
  /** Runs that threw: each crashed the server, or, run as a task, was logged by its task supervisor. */
  readonly failures: number;
  /** True while a run is in progress. */
  readonly running: boolean;
}

/** What a job needs from its process. */
export interface JobHost {
  readonly name: string;
  /**
   * Puts a tick for `job` in the mailbox — or, for `runAs: 'task'`, starts the run as a task, calling
   * `job.began()` at once and `job.finished()` / `job.failed()` when it ends, then `job.taskEnded()`.
   * False if the server cannot take it now.
   */
  enqueueTick(job: PeriodicJob): boolean;
}

/** More ticks than this in one stall are counted but not caught up (or counted) one by one. */
const MISSED_LIMIT = 100_000;

/**
 * The timer and the counters of one periodic job of one process. It outlives the instances: after a
 * restart it is re-armed on the same schedule (fixed rate keeps its original grid).
 *
 * @internal
 */
export class PeriodicJob {
  private timer: TimerHandle | undefined;
  /** The schedule's time of the armed tick (jitter not included). */
  private due = 0;
  private fireAt: number | undefined;
  /** Fixed rate counts from here: the first time the job was armed. */
  private anchor: number | undefined;
  private paused: boolean;
  private armed = false;
  private queued = 0;
  private running = false;
  private startedAt = 0;
  private runs = 0;
  private skipped = 0;
  private missed = 0;
  private failures = 0;
  private lastRunAt: number | undefined;
  private lastDurationMs: number | undefined;
  private readonly fire = (): void => this.onTimer();

  constructor(
    readonly spec: PeriodicSpec<never>,
    private readonly host: JobHost,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {
    this.paused = spec.enabled === false;
  }

  /** `Server.method`. */
  get name(): string {
    return `${this.host.name}.${this.spec.name}`;
  }

  /** The server is running (first start, restart, resume): arm the next tick; maybe run at once. */
  start(initial: boolean): void {
    this.armed = true;
    if (this.paused) return;
    const now = this.clock.now();
    this.anchor ??= now;
    if (initial && this.spec.runOnInit === true) this.enqueue(false);
    if (this.spec.schedule.mode === 'fixed-delay' && this.running) return; // armed when it finishes
    this.arm(this.spec.schedule.nextAfter(now, this.anchor));
  }

  /** The server stopped or crashed: no more ticks until {@link start}. */
  stop(): void {
    this.armed = false;
    this.disarm();
  }

  pause(): void {
    this.paused = true;
    this.disarm();
  }

  /** Resumes a paused (or disabled) job: ticks continue on its schedule from now. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.armed) this.start(false);
  }

  /** Runs the job now (overlap policy not applied); false if its server is not running. */
  trigger(): boolean {
    return this.armed && this.enqueue(true);
  }

  // ------------------------------------------------------------------ called by the process

  /** A tick of this job is about to run. */
  began(now: number): void {
    this.queued--;
    this.running = true;
    this.startedAt = now;
    this.lastRunAt = now;
    this.runs++;
  }

  /** The run finished; with fixed delay, the next tick is armed from now. */
  finished(now: number): void {
    this.running = false;
    this.lastDurationMs = now - this.startedAt;
    if (this.spec.schedule.mode === 'fixed-delay' && this.armed && !this.paused) {
      this.disarm();
      this.arm(this.spec.schedule.nextAfter(now, now));
    }
  }

  /** The run threw (the server crashes; a task run is only counted). */
  failed(now: number): void {
    this.running = false;
    this.lastDurationMs = now - this.startedAt;
    this.failures++;
  }

  /** A queued tick was discarded (crash, stop without drain). */
  dropped(): void {
    this.queued--;
  }

  /** A run started as a task ended (after `finished`/`failed`): start the one waiting behind it, if any. */
  taskEnded(): void {
    if (this.queued === 0) return;
    this.queued--;
    if (this.armed) this.enqueue(true);
  }

  info(): PeriodicJobInfo {
    return {
      name: this.name,
      schedule: this.spec.schedule.describe(),
      status: this.paused ? 'paused' : this.armed ? 'scheduled' : 'stopped',
      ...(this.fireAt !== undefined ? { nextRunAt: this.fireAt } : {}),
      ...(this.lastRunAt !== undefined ? { lastRunAt: this.lastRunAt } : {}),
      ...(this.lastDurationMs !== undefined ? { lastDurationMs: this.lastDurationMs } : {}),
      runs: this.runs,
      skipped: this.skipped,
      missed: this.missed,
      failures: this.failures,
      running: this.running,
    };
  }

  // ------------------------------------------------------------------ internals

  private arm(due: number): void {
    if (due === Infinity) return; // a cron expression with no future match
    this.due = due;
    const jitter = this.spec.jitterMs;
    const fireAt = jitter ? due + Math.floor(this.random() * (jitter + 1)) : due;
    this.fireAt = fireAt;
    this.timer = this.clock.setTimer(this.fire, fireAt - this.clock.now(), true);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.fireAt = undefined;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.fireAt = undefined;
    if (!this.armed || this.paused) return;
    const now = this.clock.now();
    const schedule = this.spec.schedule;
    const anchor = this.anchor as number;
    // Ticks of the schedule that passed while this one waited for the event loop; a tick delayed by
    // jitter is not late, so the schedule's own time is at least `now - jitter`.
    const base = Math.max(this.due, now - (this.spec.jitterMs ?? 0));
    const late = schedule.countBetween(this.due, base, anchor, MISSED_LIMIT);
    if (late > 0 && this.spec.catchUp === true) {
      for (let i = 0; i <= late; i++) this.enqueue(true);
    } else {
      this.missed += late;
      this.tick();
    }
    if (schedule.mode !== 'fixed-delay') this.arm(schedule.nextAfter(base, anchor));
  }

  /** A scheduled tick: subject to the overlap policy. */
  private tick(): void {
    const busy = this.queued > 0 || (this.running && this.spec.overlap !== 'queue');
    if (busy) {
      this.skipped++;
      return;
    }
    this.enqueue(true);
  }

  private enqueue(force: boolean): boolean {
    if (!force && this.queued > 0) return false;
    this.queued++;
    // A task run cannot wait in a mailbox: it waits here until the running one ends (taskEnded).
    if (this.running && this.spec.runAs === 'task') return true;
    if (this.host.enqueueTick(this)) return true;
    this.queued--;
    return false;
  }
}
