/** docs/genservers.md: the guide's own code, verbatim (but for import lines), and what it says it does. */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GenServer, GenServerModule, HandleCall, HandleCast, type ServerRef } from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

@GenServer()
export class AuditLog {
  private entries: string[] = [];

  @HandleCast()
  record(entry: string): void {
    this.entries.push(entry);
  }

  @HandleCall()
  count(): number {
    return this.entries.length;
  }
}

@Module({ imports: [GenServerModule.forRoot()], providers: [AuditLog] })
class AppModule {}

describe('docs/genservers.md', () => {
  let harness: GenServerHarness;
  let audit: ServerRef<AuditLog>;

  beforeEach(async () => {
    harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }));
    audit = harness.ref(AuditLog);
  });
  afterEach(() => harness.close());

  it('call, cast and the mailbox: casts queue without waiting, a call waits behind them', async () => {
    for (let i = 0; i < 10_000; i++) audit.cast('record', `event ${i}`); // returns at once, every time
    expect(audit.info().mailboxLength).toBe(10_000); // the server has not handled one yet
    expect(await audit.call('count')).toBe(10_000); // a call is queued behind every cast sent before it
  });

  it('a caller that awaits each call never has more than one message queued', async () => {
    let deepest = 0;
    for (let i = 0; i < 1000; i++) {
      const done = audit.call('count');
      deepest = Math.max(deepest, audit.info().mailboxLength);
      await done;
    }
    expect(deepest).toBe(1);
  });
});
