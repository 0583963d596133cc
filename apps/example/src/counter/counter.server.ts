import {
  GenServer,
  HandleCall,
  HandleCast,
  HandleInfo,
  Init,
  Terminate,
  type ExitReason,
} from 'nestjs-genserver';
import { Logger } from '@nestjs/common';
import { CounterStore } from './counter-store.js';

/**
 * A counter whose state is only touched by one message at a time: no lock, no race, however many
 * requests arrive at once. It loads its value on start and saves it when it stops.
 */
@GenServer({ callTimeout: 2000 })
export class CounterServer {
  private readonly logger = new Logger(CounterServer.name);
  private count = 0;
  private lastChange: string | undefined;

  constructor(private readonly store: CounterStore) {}

  @Init()
  async load(): Promise<void> {
    this.count = await this.store.load();
  }

  @HandleCall()
  increment(by = 1): number {
    this.count += by;
    this.lastChange = `+${by}`;
    return this.count;
  }

  @HandleCall()
  value(): { count: number; lastChange: string | undefined } {
    return { count: this.count, lastChange: this.lastChange };
  }

  /** Saves through the store; the next message waits until the save has finished. */
  @HandleCall()
  async checkpoint(): Promise<number> {
    await this.store.save(this.count);
    return this.count;
  }

  @HandleCast()
  reset(): void {
    this.count = 0;
    this.lastChange = 'reset';
  }

  /** Throws on purpose: the caller gets a ServerCrashedError and a fresh instance takes over. */
  @HandleCall()
  crash(reason: string): never {
    throw new Error(reason);
  }

  @HandleInfo()
  onInfo(message: unknown): void {
    this.logger.log(`info message: ${JSON.stringify(message)}`);
  }

  @Terminate()
  async save(reason: ExitReason): Promise<void> {
    // After a crash the in-memory count may be the very thing that is wrong: keep the last checkpoint.
    if (typeof reason === 'string') await this.store.save(this.count);
  }
}
