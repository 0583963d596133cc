import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  HandleCall,
  HandleCast,
  ServerNotRunningError,
  Supervised,
  Terminate,
  type ServerRef,
} from 'nestjs-genserver';
import { GenServerTesting } from 'nestjs-genserver/testing';

/**
 * `app.close()` while thousands of casts are queued and calls are in flight across a nested tree: what
 * is queued is handled (or counted as dropped when a server is killed), every call settles, `@Terminate`
 * runs once per server in reverse start order, a hanging `@Terminate` is cut at its shutdown timeout,
 * and a second `close()` changes nothing. On the testing kit's manual clock: `harness.close()` moves time
 * to the next shutdown timeout whenever the shutdown waits on it.
 */

const CASTS_PER_SERVER = 2000;
const CALLS_PER_SERVER = 200;

/** What the servers did, in order. */
const journal = {
  terminated: [] as string[],
  casts: new Map<string, number>(),
};

abstract class Worker {
  @HandleCast()
  work(): void {
    const name = this.constructor.name;
    journal.casts.set(name, (journal.casts.get(name) ?? 0) + 1);
  }

  @HandleCall()
  echo(n: number): number {
    return n;
  }

  /** Never answers: the server is busy until it is killed. */
  @HandleCall()
  hang(): Promise<never> {
    return new Promise(() => undefined);
  }

  @Terminate()
  terminate(): void {
    journal.terminated.push(this.constructor.name);
  }
}

@GenServer()
class A1 extends Worker {}
@GenServer()
class A2 extends Worker {}
/** Its handler hangs during the shutdown: killed after 1 s, what is queued behind it is dropped. */
@GenServer({ shutdownTimeout: 1000 })
class A3 extends Worker {}
@GenServer()
class B1 extends Worker {}
/** Its `@Terminate` never finishes: cut at its 2 s shutdown timeout. */
@GenServer({ shutdownTimeout: 2000 })
class B2 extends Worker {
  @Terminate()
  override terminate(): Promise<void> {
    journal.terminated.push('B2 (hangs)');
    return new Promise(() => undefined);
  }
}
@GenServer()
class C extends Worker {}

@Supervised({ children: [A1, A2, A3] })
class SupA {}
@Supervised({ strategy: 'one_for_all', children: [B1, B2] })
class SupB {}

const SERVERS: readonly Type<Worker>[] = [A1, A2, A3, B1, B2, C];

class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  log(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
  error(message: unknown): void {
    this.errors.push(String(message));
  }
  debug(): void {}
  verbose(): void {}
}

describe('shutdown under load', () => {
  it('drains or counts every queued cast, settles every call, terminates once in reverse order, close() twice is harmless', async () => {
    const logger = new RecordingLogger();
    const harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        // Start order: A1, A2, A3 (under SupA), B1, B2 (under SupB), then C.
        providers: [SupA, SupB, ...SERVERS],
      }).setLogger(logger),
    );
    const refs = new Map(SERVERS.map((server) => [server.name, harness.ref(server) as ServerRef<Worker>]));
    const a3 = refs.get('A3') as ServerRef<Worker>;

    // A3 is stuck in a handler: nothing queued behind it can run.
    const hung = a3.withTimeout(Infinity).call('hang');
    await harness.idle().catch(() => undefined);

    // Load: casts queued and calls waiting on every server, none handled yet.
    const calls: Promise<unknown>[] = [];
    for (const ref of refs.values()) {
      for (let i = 0; i < CASTS_PER_SERVER; i++) ref.cast('work');
      for (let i = 0; i < CALLS_PER_SERVER; i++) calls.push(ref.withTimeout(Infinity).call('echo', i));
    }
    expect(refs.get('A1')?.info().mailboxLength).toBe(CASTS_PER_SERVER + CALLS_PER_SERVER);

    const before = harness.now();
    await harness.close();
    // The shutdown waited exactly for the two timeouts that fired: A3's hung handler, B2's hung @Terminate.
    expect(harness.now() - before).toBe(1000 + 2000);

    // Every call settled: a reply from the servers that drained, a typed error from the killed one.
    const outcomes = await Promise.allSettled([hung, ...calls]);
    const replies = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(replies).toBe(5 * CALLS_PER_SERVER);
    expect(refused).toHaveLength(CALLS_PER_SERVER + 1);
    for (const error of refused) {
      expect(error).toBeInstanceOf(ServerNotRunningError);
      expect((error as Error).message).toContain('killed after its shutdown timeout');
    }

    // Every queued cast was handled, or counted as dropped by the server that could not handle it.
    for (const [name, ref] of refs) {
      const handled = journal.casts.get(name) ?? 0;
      const { dropped } = ref.info();
      expect({ name, handled, dropped }).toEqual(
        name === 'A3'
          ? { name, handled: 0, dropped: CASTS_PER_SERVER }
          : { name, handled: CASTS_PER_SERVER, dropped: 0 },
      );
      expect(ref.info().status).toBe('stopped');
    }
    expect(logger.warnings).toContain(
      `A3: ${CASTS_PER_SERVER} queued cast/info message(s) were not handled (killed after its shutdown timeout)`,
    );
    expect(logger.warnings.some((w) => w.startsWith('A3 did not stop within 1000 ms'))).toBe(true);
    expect(logger.warnings.some((w) => w.startsWith('B2 did not stop within 2000 ms'))).toBe(true);

    // @Terminate: once per server, reverse start order, across supervisors; the hanging one was cut and
    // the servers after it still stopped. A3 was killed in its handler, so its @Terminate never ran.
    expect(journal.terminated).toEqual(['C', 'B2 (hangs)', 'B1', 'A2', 'A1']);

    // A second close() resolves and does nothing: no second @Terminate, no error, no new warning.
    const warnings = logger.warnings.length;
    await expect(harness.app.close()).resolves.toBeUndefined();
    await harness.close();
    expect(journal.terminated).toEqual(['C', 'B2 (hangs)', 'B1', 'A2', 'A1']);
    expect(logger.warnings).toHaveLength(warnings);
    expect(logger.errors).toEqual([]);
    expect(harness.now() - before).toBe(3000);
  });
});
