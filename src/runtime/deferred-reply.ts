/** @internal What a {@link DeferredReply} settles through: the process that owns the call. */
export interface DeferredReplyOwner {
  /** Settles the deferred call `token`; false (and counted) if it was already settled. */
  settleDeferred(token: object, ok: boolean, value: unknown): boolean;
}

/**
 * The reply to a call whose handler chose to answer later (OTP `{:noreply, state}` followed by
 * `GenServer.reply(from, value)`). Get one with `deferReply()` inside a call handler, return it (so
 * the ref's reply type is `R`), and settle it from a task, a later message or a callback: the server
 * goes on serving meanwhile.
 *
 * The caller's timeout still applies. A reply after the caller gave up (timeout), after the server
 * exited (the caller got the crash or stop error) or a second reply is ignored: `reply`/`fail`
 * return false and the server counts it in `info().ignoredReplies`.
 *
 * @example
 * @HandleCall() quote(symbol: string): DeferredReply<number> {
 *   const reply = this.self.deferReply<number>();
 *   this.tasks.start(async () => reply.reply(await this.feed.fetch(symbol)));
 *   return reply;
 * }
 */
export class DeferredReply<R> {
  /** @internal */
  constructor(
    private readonly owner: DeferredReplyOwner,
    private readonly token: object,
    /** The call being answered, for logs. */
    readonly call: string,
  ) {}

  /** Resolves the caller's call with `value`; false if it was ignored (see above). */
  reply(value: R): boolean {
    return this.owner.settleDeferred(this.token, true, value);
  }

  /** Rejects the caller's call with `error`, as given; false if it was ignored (see above). */
  fail(error: unknown): boolean {
    return this.owner.settleDeferred(this.token, false, error);
  }
}
