import { type Duration, parseDuration } from './runtime/periodic/duration.js';
import type { DeferredReply } from './runtime/deferred-reply.js';
import type { ServerProcess } from './runtime/server-process.js';
import type { ServerTimer } from './runtime/server-timer.js';
import type { MessageArgs, MessageName } from './server-ref.js';

/**
 * A GenServer's handle to itself (OTP's `self()`), injected with `@InjectSelf()`: timers that send it
 * messages later, casts to itself, and its idle timeout. There is no `call`: a server waiting on its own
 * mailbox would wait forever.
 *
 * Timers belong to the current instance: a crash, restart or stop cancels them (`@Init` sets them
 * again), so a stopped server leaves nothing behind.
 *
 * @example
 * @InjectSelf() private readonly self!: SelfRef<MetricsCollector>;
 *
 * @Init() init() { this.self.castAfter('10s', 'collect'); }
 * @HandleCast() collect() { this.metrics.push(sample()); this.self.castAfter('10s', 'collect'); }
 */
export class SelfRef<T extends object> {
  /** @internal */
  constructor(
    private readonly process: ServerProcess<T>,
    private readonly castAliases: ReadonlyMap<string, string> | undefined,
    private readonly incarnation: number = process.incarnation,
  ) {}

  /** The server's name (`Name[key]` for a keyed dynamic child). */
  get name(): string {
    return this.process.name;
  }

  /** The key of a dynamic child, if it was started under one. */
  get key(): string | undefined {
    return this.process.key;
  }

  /**
   * Queues a cast to itself, handled after the current message and what is already queued. Returns
   * false if its bounded mailbox is full and refused it (see `@GenServer({ mailbox })`).
   */
  cast<K extends MessageName<T>>(name: K, ...args: MessageArgs<T, K>): boolean {
    return this.process.cast(this.castAliases?.get(name) ?? name, args);
  }

  /**
   * Inside a `@HandleCall` handler: answer this call later (OTP `{:noreply, state}` + `GenServer.reply`).
   * Return the {@link DeferredReply} from the handler (the ref's reply type becomes `R`) and settle it
   * from a task, a later message or a callback; the server handles its next messages meanwhile. The
   * caller's timeout still applies; a reply after it, or a second one, is ignored and counted.
   *
   * @example
   * @HandleCall() report(day: string): DeferredReply<Report> {
   *   const reply = this.self.deferReply<Report>();
   *   this.tasks.start(async () => reply.reply(await this.reports.build(day)));
   *   return reply;
   * }
   */
  deferReply<R>(): DeferredReply<R> {
    return this.process.deferReply<R>(this.incarnation);
  }

  /** Queues a message for its own `@HandleInfo` method; returns like {@link cast}. */
  send(message: unknown): boolean {
    return this.process.send(message);
  }

  /**
   * Sends `message` to its own `@HandleInfo` method after `delay` (OTP `Process.send_after(self(), …)`).
   * Returns the timer; `cancel()` it to stop delivery.
   */
  sendAfter(message: unknown, delay: Duration): ServerTimer {
    return this.process.sendAfter(message, parseDuration(delay, `${this.name}: sendAfter() delay`));
  }

  /** Casts `name(...args)` to itself after `delay`. Returns the timer; `cancel()` it to stop delivery. */
  castAfter<K extends MessageName<T>>(delay: Duration, name: K, ...args: MessageArgs<T, K>): ServerTimer {
    const ms = parseDuration(delay, `${this.name}: castAfter() delay`);
    return this.process.castAfter(ms, this.castAliases?.get(name) ?? name, args);
  }

  /** Cancels a timer made by `sendAfter` / `castAfter`; true if it had not fired yet. */
  cancelTimer(timer: ServerTimer): boolean {
    return timer.cancel();
  }

  /**
   * Sets the idle timeout of its `@OnIdle` method from now on, or turns it off with `false` (OTP: the
   * timeout a callback returns). A restart goes back to the one declared in `@OnIdle`.
   */
  setIdleTimeout(after: Duration | false): void {
    this.process.setIdleTimeout(
      after === false ? Infinity : parseDuration(after, `${this.name}: setIdleTimeout()`),
    );
  }
}
