import { assign, createActor, setup, type ActorRefFrom } from 'xstate';

/**
 * The bench's counter as an xstate v5 actor: the same logic as `Counter` (`count += by`, reply with the
 * count), written the way xstate does it. The context is replaced by `assign`, never mutated.
 *
 * How it replies: xstate has no call/reply between an actor and a plain caller, so a request event carries
 * the caller's promise resolver (`reply`), and the machine's `reply` action calls it with the updated
 * count (v5 runs a transition's actions in order, so it sees the context `assign` just made). This is the
 * cheapest correct request/response: `actor.send` processes the event synchronously, so the promise is
 * resolved before `send` returns, and there is no reply actor, `sendTo` or subscription per request.
 */
export const counterMachine = setup({
  types: {
    context: {} as { count: number },
    events: {} as
      { type: 'increment'; by: number; reply: (count: number) => void } | { type: 'add'; by: number },
  },
  actions: {
    reply: ({ context, event }) => {
      if (event.type === 'increment') event.reply(context.count);
    },
  },
}).createMachine({
  context: { count: 0 },
  on: {
    increment: { actions: [assign({ count: ({ context, event }) => context.count + event.by }), 'reply'] },
    add: { actions: assign({ count: ({ context, event }) => context.count + event.by }) },
  },
});

export type CounterActor = ActorRefFrom<typeof counterMachine>;

/** A started counter actor. */
export function counterActor(): CounterActor {
  return createActor(counterMachine).start();
}

/** A call: send `increment` with the resolver as `reply`, and wait for it. */
export function incrementActor(actor: CounterActor, by: number): Promise<number> {
  return new Promise((resolve) => actor.send({ type: 'increment', by, reply: resolve }));
}
