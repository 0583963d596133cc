import {
  GenServer,
  GenServerRuntime,
  HandleCall,
  Periodic,
} from 'nestjs-genserver';

/**
 * A GenServer with a periodic job. Each run is a message in its mailbox: it
 * never overlaps another run or the server's calls, and the schedule is
 * computed, never accumulated, so it does not drift. A run that throws crashes
 * the server; it restarts with a fresh state and keeps its schedule.
 */
@GenServer()
export class PriceSyncServer {
  private runs = 0;
  private lastRunAt: Date | undefined;

  // The runtime's clock: the system clock in the app, a manual one in specs.
  constructor(private readonly runtime: GenServerRuntime) {}

  @Periodic('1h', { align: true })
  async run(): Promise<void> {
    // The work; await freely: the next message waits for this run to end.
    this.runs += 1;
    this.lastRunAt = new Date(this.runtime.clock.now());
  }

  /** `ref.call('status')`: what the runs did so far. */
  @HandleCall()
  status(): { runs: number; lastRunAt: Date | undefined } {
    return { runs: this.runs, lastRunAt: this.lastRunAt };
  }
}
