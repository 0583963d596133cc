import { beforeEach, describe, expect, it } from '@jest/globals';
import { MailboxFullError } from './errors/mailbox-full.error.js';
import { ServerNotRunningError } from './errors/server-not-running.error.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import type { RuntimeLogger } from './logger.js';
import { OVERFLOW_REPORT_INTERVAL_MS } from './mailbox-overflow.js';
import { ManualClock } from './manual-clock.js';
import { fixedRate } from './periodic/schedule.js';
import { ServerProcess } from './server-process.js';
import type { ServerSpec } from './server-spec.js';
import { turn } from './spec-helpers.js';

/** A slow consumer: `hold()` keeps it busy until the test opens the gate, so messages pile up. */
class Sink {
  log: string[] = [];
  gate: Promise<void> = Promise.resolve();

  async hold(): Promise<string> {
    await this.gate;
    return 'held';
  }
  ask(tag: string): string {
    this.log.push(`call ${tag}`);
    return tag;
  }
  note(tag: string): void {
    this.log.push(`cast ${tag}`);
  }
  tick(): void {
    this.log.push('tick');
  }
}

function recordingLogger(): RuntimeLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, log() {}, warn: (m) => warnings.push(m), error() {} };
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('bounded mailboxes', () => {
  let clock: ManualClock;
  let logger: ReturnType<typeof recordingLogger>;
  let events: LifecycleEvent[];
  let sinks: Sink[];

  function sink(overrides: Partial<ServerSpec<Sink>> = {}): ServerProcess<Sink> {
    return new ServerProcess<Sink>(
      {
        name: 'Sink',
        create: () => {
          const s = new Sink();
          sinks.push(s);
          return s;
        },
        calls: { hold: Sink.prototype.hold, ask: Sink.prototype.ask },
        casts: { note: Sink.prototype.note },
        info(this: Sink, message: unknown) {
          this.log.push(`info ${String(message)}`);
        },
        ...overrides,
      },
      { clock, logger, events: (event) => events.push(event) },
    );
  }

  /** Starts `p` and parks it in a handler until the returned function is called. */
  async function busy(p: ServerProcess<Sink>): Promise<() => Promise<void>> {
    await p.start();
    const g = gate();
    sinks[sinks.length - 1].gate = g.promise;
    const held = p.call('hold', [], Infinity);
    await turn();
    expect(p.info()).toMatchObject({ busy: true, mailboxLength: 0 });
    return async () => {
      g.open();
      await held;
      await p.call('ask', ['flush'], Infinity).catch(() => undefined);
    };
  }

  const bounded = () => events.filter((e) => e.type === 'mailbox_full');

  beforeEach(() => {
    clock = new ManualClock(0);
    logger = recordingLogger();
    events = [];
    sinks = [];
  });

  describe('definition', () => {
    it.each([
      [{ capacity: 0 }, 'mailbox.capacity must be a positive integer (how many messages may wait), got 0'],
      [{ capacity: -5 }, 'got -5'],
      [{ capacity: 1.5 }, 'got 1.5'],
      [{ capacity: Infinity }, 'got Infinity; leave the mailbox option out for an unbounded mailbox'],
      [{ capacity: NaN }, 'got NaN'],
      [{ capacity: '100' }, "got '100'"],
      [{}, 'got undefined'],
      [
        { capacity: 10, overflow: 'drop-newest' },
        "mailbox.overflow must be 'reject' or 'drop-oldest', got 'drop-newest'",
      ],
      [{ capacity: 10, policy: 'reject' }, "mailbox has no option 'policy'; it takes capacity and overflow"],
      [100, "mailbox must be an object such as { capacity: 1000, overflow: 'reject' }, got 100"],
      [null, 'got null'],
    ])('refuses mailbox %p when the server is made, naming the fix', (mailbox, message) => {
      expect(() => sink({ mailbox: mailbox as never })).toThrow(message);
      expect(() => sink({ mailbox: mailbox as never })).toThrow(/^Sink: /);
    });
  });

  describe('unbounded (the default)', () => {
    it('queues everything, returns true from cast and send, and reports no bound', async () => {
      const p = sink();
      const release = await busy(p);
      let queued = 0;
      for (let i = 0; i < 20_000; i++) if (p.cast('note', [i])) queued++;
      expect(queued).toBe(20_000);
      expect(p.send('ping')).toBe(true);
      expect(p.info().mailboxLength).toBe(20_001);
      expect(p.info()).not.toHaveProperty('mailbox');
      await release();
      expect(sinks[0].log).toHaveLength(20_002);
      expect(bounded()).toEqual([]);
      expect(logger.warnings).toEqual([]);
    });
  });

  describe("overflow: 'reject'", () => {
    it('refuses casts and sends with false once capacity messages wait, and handles only what it queued', async () => {
      const p = sink({ mailbox: { capacity: 3 } });
      const release = await busy(p);
      expect([1, 2, 3].map((i) => p.cast('note', [i]))).toEqual([true, true, true]);
      expect(p.cast('note', [4])).toBe(false);
      expect(p.send('late')).toBe(false);
      expect(p.info()).toMatchObject({
        mailboxLength: 3,
        mailbox: { capacity: 3, overflow: 'reject', refused: 2, dropped: 0 },
      });
      await release();
      expect(sinks[0].log).toEqual(['cast 1', 'cast 2', 'cast 3', 'call flush']);
    });

    it('rejects a call at once with MailboxFullError; it never enters the mailbox or arms a deadline', async () => {
      const p = sink({ mailbox: { capacity: 2 } });
      const release = await busy(p);
      p.cast('note', ['a']);
      p.cast('note', ['b']);
      expect(p.cast('note', ['c'])).toBe(false); // arms the report window's timer
      const timers = clock.pendingTimers;
      const error = await p.call('ask', ['x'], 1000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailboxFullError);
      expect(error).toMatchObject({
        code: 'MAILBOX_FULL',
        server: 'Sink',
        messageName: "call 'ask'",
        capacity: 2,
        overflow: 'reject',
      });
      expect((error as Error).message).toBe(
        "Sink refused call 'ask': its mailbox is full (capacity 2, overflow 'reject'). The server handles " +
          'messages slower than they arrive. Retry later, slow the producer (await calls instead of firing ' +
          'casts, so the producer waits for the server), or raise @GenServer({ mailbox: { capacity } }) if ' +
          'the server can catch up.',
      );
      expect(clock.pendingTimers).toBe(timers);
      expect(p.mailboxLength).toBe(2);
      await release();
      expect(sinks[0].log).toEqual(['cast a', 'cast b', 'call flush']);
      expect(p.info().mailbox).toMatchObject({ refused: 2, dropped: 0 });
    });

    it('makes room again as the server catches up: the bound is on what waits, not on a total', async () => {
      const p = sink({ mailbox: { capacity: 1 } });
      await p.start();
      for (let i = 0; i < 100; i++) {
        expect(p.cast('note', [i])).toBe(true);
        await turn();
      }
      expect(sinks[0].log).toHaveLength(100);
      expect(p.info().mailbox).toMatchObject({ refused: 0, dropped: 0 });
    });
  });

  describe("overflow: 'drop-oldest'", () => {
    it('evicts the oldest queued cast or info for a newcomer, never a call', async () => {
      const p = sink({ mailbox: { capacity: 3, overflow: 'drop-oldest' } });
      const release = await busy(p);
      const replies: Promise<unknown>[] = [];
      p.cast('note', ['a']);
      replies.push(p.call('ask', ['c1'], Infinity));
      p.send('b');
      expect(p.cast('note', ['d'])).toBe(true); // evicts a
      expect(p.cast('note', ['e'])).toBe(true); // evicts info b
      replies.push(p.call('ask', ['c2'], Infinity)); // evicts d
      expect(p.send('f')).toBe(true); // evicts e
      replies.push(p.call('ask', ['c3'], Infinity)); // evicts info f: only calls wait now
      expect(p.info()).toMatchObject({ mailboxLength: 3, mailbox: { dropped: 5, refused: 0 } });

      expect(p.cast('note', ['g'])).toBe(false); // nothing to evict: refused as under 'reject'
      const refused = await p.call('ask', ['c4']).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MailboxFullError);
      expect((refused as Error).message).toContain(
        "(capacity 3, overflow 'drop-oldest', and only calls are queued: a call is never dropped)",
      );
      await release();
      await expect(Promise.all(replies)).resolves.toEqual(['c1', 'c2', 'c3']);
      expect(sinks[0].log).toEqual(['call c1', 'call c2', 'call c3', 'call flush']);
      expect(p.info().mailbox).toEqual({ capacity: 3, overflow: 'drop-oldest', dropped: 5, refused: 2 });
    });

    it('keeps the newest casts of a flood, in order', async () => {
      const p = sink({ mailbox: { capacity: 100, overflow: 'drop-oldest' } });
      const release = await busy(p);
      let queued = 0;
      for (let i = 0; i < 10_000; i++) if (p.cast('note', [i])) queued++;
      expect(queued).toBe(10_000);
      expect(p.mailboxLength).toBe(100);
      await release();
      expect(sinks[0].log.slice(0, -1)).toEqual(Array.from({ length: 100 }, (_, i) => `cast ${9900 + i}`));
      expect(p.info().mailbox).toMatchObject({ dropped: 9900, refused: 0 });
    });
  });

  describe('reports', () => {
    it('emits one mailbox_full event and warning at once, then at most one per interval with the counts', async () => {
      const p = sink({ mailbox: { capacity: 1, overflow: 'drop-oldest' } });
      const release = await busy(p);
      p.cast('note', [0]);
      p.cast('note', [1]); // drops 0: reported at once
      expect(bounded()).toEqual([
        {
          type: 'mailbox_full',
          kind: 'server',
          name: 'Sink',
          at: 0,
          restarts: 0,
          mailbox: { capacity: 1, overflow: 'drop-oldest', refused: 0, dropped: 1 },
        },
      ]);
      expect(logger.warnings).toEqual([
        "Sink: mailbox full (capacity 1, overflow 'drop-oldest'): dropped the 1 oldest queued cast/info " +
          'message(s). It handles messages slower than they arrive: slow the producer (use call, which ' +
          'waits for the server, instead of cast), or raise mailbox.capacity. Reported at most once a ' +
          'second; see info().mailbox',
      ]);

      for (let i = 2; i < 5002; i++) p.cast('note', [i]); // a flood within the window
      p.call('ask', ['x']).catch(() => undefined); // evicts the last cast
      void p.call('ask', ['y']).catch(() => undefined); // only a call waits: refused
      await turn();
      expect(bounded()).toHaveLength(1);
      clock.advanceBy(OVERFLOW_REPORT_INTERVAL_MS);
      expect(bounded()).toHaveLength(2);
      expect(bounded()[1]).toMatchObject({ at: 1000, mailbox: { dropped: 5001, refused: 1 } });
      expect(logger.warnings).toHaveLength(2);
      expect(logger.warnings[1]).toContain(
        'dropped the 5001 oldest queued cast/info message(s) and refused 1 message(s)',
      );

      clock.advanceBy(10 * OVERFLOW_REPORT_INTERVAL_MS); // quiet: nothing more to say, no timer left
      expect(bounded()).toHaveLength(2);
      expect(clock.pendingTimers).toBe(0);
      expect(p.send('again')).toBe(false); // the next overflow after a quiet window is reported at once
      expect(bounded()).toHaveLength(3);
      expect(p.info().mailbox).toMatchObject({ dropped: 5002, refused: 2 });
      await release();
    });

    it('reports what is pending when the server stops, and leaves no timer behind', async () => {
      const p = sink({ mailbox: { capacity: 1 } });
      const release = await busy(p);
      p.cast('note', [1]);
      p.cast('note', [2]);
      p.cast('note', [3]);
      expect(bounded().map((e) => e.mailbox?.refused)).toEqual([1]);
      await release();
      await p.stop();
      expect(bounded().map((e) => e.mailbox?.refused)).toEqual([1, 1]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('counts without a listener, logging only', async () => {
      const p = new ServerProcess<Sink>(
        {
          name: 'Quiet',
          create: () => new Sink(),
          calls: { hold: Sink.prototype.hold },
          casts: { note: Sink.prototype.note },
          mailbox: { capacity: 1 },
        },
        { clock, logger },
      );
      await p.start();
      p.cast('note', [1]);
      expect(p.cast('note', [2])).toBe(false);
      expect(logger.warnings).toHaveLength(1);
      expect(p.info().mailbox).toMatchObject({ refused: 1 });
    });
  });

  describe("the server's own messages", () => {
    it('periodic ticks and getState are never refused or dropped by the bound', async () => {
      const p = sink({
        mailbox: { capacity: 1, overflow: 'drop-oldest' },
        periodic: [{ name: 'tick', handler: Sink.prototype.tick, schedule: fixedRate(100) }],
      });
      const release = await busy(p);
      p.cast('note', ['queued']);
      clock.advanceBy(100); // a tick arrives at a full mailbox: queued anyway
      expect(p.mailboxLength).toBe(2);
      expect(p.cast('note', ['newer'])).toBe(true); // evicts the cast, not the tick
      const state = p.getState(Infinity);
      expect(p.mailboxLength).toBe(3);
      await release();
      await state;
      expect(sinks[0].log).toEqual(['tick', 'cast newer', 'call flush']);
      expect(p.info().mailbox).toMatchObject({ dropped: 1, refused: 0 });
      expect(p.info().handled.ticks).toBe(1);
    });

    it("a send-after timer's message is queued even at a full mailbox (then it is an info like any other)", async () => {
      const p = sink({ mailbox: { capacity: 1 } });
      const release = await busy(p);
      p.sendAfter('reminder', 50);
      p.cast('note', ['queued']);
      clock.advanceBy(50);
      expect(p.mailboxLength).toBe(2);
      await release();
      expect(sinks[0].log).toEqual(['cast queued', 'info reminder', 'call flush']);
      expect(p.info().mailbox).toMatchObject({ dropped: 0, refused: 0 });
    });

    it('crashWith is queued at a full mailbox, so a supervisor drill still works', async () => {
      const p = sink({ mailbox: { capacity: 1 } });
      const release = await busy(p);
      p.cast('note', ['queued']);
      p.crashWith(new Error('drill'));
      expect(p.mailboxLength).toBe(2);
      await release();
      expect(p.status).toBe('failed');
      expect(sinks[0].log).toEqual(['cast queued']);
    });
  });

  describe('with restartBuffer, while the server is not running', () => {
    function restartable(overrides: Partial<ServerSpec<Sink>>): ServerProcess<Sink> {
      const p = sink({
        calls: {
          hold: Sink.prototype.hold,
          ask: Sink.prototype.ask,
          boom: () => {
            throw new Error('boom');
          },
        },
        ...overrides,
      });
      p.setExitListener(() => true);
      return p;
    }

    it('the bound applies to messages held for the next instance', async () => {
      const p = restartable({ mailbox: { capacity: 2 }, restartBuffer: 100 });
      await p.start();
      await p.call('boom', []).catch(() => undefined);
      expect(p.status).toBe('restarting');
      expect(p.cast('note', ['a'])).toBe(true);
      expect(p.cast('note', ['b'])).toBe(true);
      expect(p.cast('note', ['c'])).toBe(false);
      await expect(p.call('ask', ['x'])).rejects.toBeInstanceOf(MailboxFullError);
      await p.restart();
      await p.call('ask', ['after']);
      expect(sinks[1].log).toEqual(['cast a', 'cast b', 'call after']);
    });

    it('drop-oldest keeps the newest held casts for the next instance', async () => {
      const p = restartable({ mailbox: { capacity: 2, overflow: 'drop-oldest' } });
      await p.start();
      await p.call('boom', []).catch(() => undefined);
      for (const tag of ['a', 'b', 'c', 'd']) p.cast('note', [tag]);
      await p.restart();
      await p.call('ask', ['after']);
      expect(sinks[1].log).toEqual(['cast c', 'cast d', 'call after']);
      expect(p.info().mailbox).toMatchObject({ dropped: 2 });
    });

    it('a smaller restartBuffer refuses first, with ServerNotRunningError as before', async () => {
      const p = restartable({ mailbox: { capacity: 5 }, restartBuffer: 1 });
      await p.start();
      await p.call('boom', []).catch(() => undefined);
      expect(p.cast('note', ['a'])).toBe(true);
      expect(() => p.cast('note', ['b'])).toThrow(ServerNotRunningError);
      expect(p.info().mailbox).toMatchObject({ refused: 0 });
    });

    it('counters live as long as the server, across restarts', async () => {
      const p = restartable({ mailbox: { capacity: 1 } });
      const release = await busy(p);
      p.cast('note', [1]);
      p.cast('note', [2]);
      await release();
      await p.call('boom', []).catch(() => undefined);
      await p.restart();
      expect(p.info()).toMatchObject({ restarts: 1, mailbox: { refused: 1 } });
    });
  });
});
