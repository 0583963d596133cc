import { GenServer, HandleCall, HandleCast } from 'nestjs-genserver';

/** The same tiny counter for every contender, so only the messaging differs. */
@GenServer({ name: 'BenchCounter' })
export class Counter {
  /** While set, `hold()` waits for it: the bench parks a server this way so casts pile up. */
  static gate: Promise<void> | undefined;
  count = 0;

  @HandleCall()
  increment(by: number): number {
    this.count += by;
    return this.count;
  }

  @HandleCast()
  add(by: number): void {
    this.count += by;
  }

  @HandleCall()
  async hold(): Promise<void> {
    await Counter.gate;
  }
}
