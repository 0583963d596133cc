import { GenServer, HandleCall, HandleCast, Init } from 'nestjs-genserver';

/**
 * A GenServer: its state is touched by one message at a time — calls, casts
 * and whatever they await — so its fields need no lock. Callers reach it
 * through its ref, never the instance: inject
 * `@InjectServer(PricesServer) ref: ServerRef<PricesServer>`
 * in a module that imports `GenServerModule.forFeature([PricesServer])`.
 */
@GenServer()
export class PricesServer {
  private count = 0;

  /** Before the first message, and after every restart: load the state. */
  @Init()
  init(): void {
    this.count = 0;
  }

  /** `ref.call('increment', by)`: the return value is the reply. */
  @HandleCall()
  increment(by = 1): number {
    this.count += by;
    return this.count;
  }

  /** `ref.call('value')`. */
  @HandleCall()
  value(): number {
    return this.count;
  }

  /** `ref.cast('reset')`: fire-and-forget, the sender does not wait. */
  @HandleCast()
  reset(): void {
    this.count = 0;
  }
}
