import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  ServerNotRunningError,
  type ServerRef,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

@GenServer({ name: 'Tally' })
class TallyServer {
  count = 0;
  @HandleCast() add(): void {
    this.count++;
  }
  @HandleCall() total(): number {
    return this.count;
  }
}

@GenServer()
class Room {
  visitors = 0;
  @HandleCall() enter(): number {
    return ++this.visitors;
  }
}

@Module({
  imports: [GenServerModule.forRoot(), GenServerModule.forDynamic(Room)],
  providers: [TallyServer],
})
class AppModule {}

/** Tooling for debug endpoints: find a server by the name a snapshot shows, and crash it on purpose. */
describe('runtime.whereis() and ref.crash()', () => {
  let harness: GenServerHarness;
  let runtime: GenServerRuntime;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }));
    runtime = harness.app.get(GenServerRuntime);
  });
  afterEach(async () => {
    await harness.close();
    jest.restoreAllMocks();
  });

  it('finds a static server by its name and a dynamic child by class name and key', async () => {
    expect(runtime.whereis('Tally')?.name).toBe('Tally');
    expect(runtime.whereis('TallyServer')).toBeUndefined(); // it goes by its `name` option
    expect(runtime.whereis('Room', 'lobby')).toBeUndefined();

    await runtime.dynamicRef(Room)!.startChild(undefined, { key: 'lobby' });
    const lobby = runtime.whereis('Room', 'lobby');
    expect(lobby?.name).toBe('Room[lobby]');
    await (lobby as ServerRef<Room>).call('enter');
    expect(await harness.getState(Room, 'lobby')).toEqual({ visitors: 1 });
    expect(runtime.whereis('Room')).toBeUndefined(); // a dynamic class has no single server
    expect(runtime.whereis('Tally', 'lobby')).toBeUndefined();
  });

  it('crash() handles what was queued first, then restarts the server with fresh state', async () => {
    const tally = runtime.ref(TallyServer);
    tally.cast('add');
    tally.cast('add');
    const before = tally.call('total');
    tally.crash(new Error('chaos drill'));
    await expect(before).resolves.toBe(2);
    await harness.idle();

    await expect(tally.call('total')).resolves.toBe(0);
    expect(tally.info()).toMatchObject({
      status: 'running',
      restarts: 1,
      lastCrash: { error: expect.stringContaining('chaos drill') },
    });
    expect(harness.events.types(TallyServer)).toEqual(['started', 'crashed', 'restarted']);
  });

  it('crash() of a dynamic child restarts that child only', async () => {
    const rooms = runtime.dynamicRef(Room)!;
    await (await rooms.startChild(undefined, { key: 'a' })).call('enter');
    await (await rooms.startChild(undefined, { key: 'b' })).call('enter');
    runtime.whereis('Room', 'a')!.crash();
    await harness.idle();
    expect(await harness.getState(Room, 'a')).toEqual({ visitors: 0 });
    expect(await harness.getState(Room, 'b')).toEqual({ visitors: 1 });
    expect(harness.info(Room, 'a').lastCrash?.error).toBe('Error: Room[a] was crashed on purpose');
  });

  it('crash() of a stopped server throws ServerNotRunningError', async () => {
    const tally = runtime.ref(TallyServer);
    await harness.close();
    expect(() => tally.crash()).toThrow(ServerNotRunningError);
  });
});
