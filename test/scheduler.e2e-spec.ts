import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type Agent,
  DrainScheduler,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  ManualClock,
  SLICE,
  ServerProcess,
  ServerRef,
  defineAgent,
  provideAgent,
} from 'nestjs-genserver';

/** The scheduler a process drains on (white-box: neither the runtime nor Nest exposes it). */
function schedulerOf<T extends object>(process: ServerProcess<T>): DrainScheduler {
  return (process as unknown as { t: { scheduler: DrainScheduler } }).t.scheduler;
}

function appScheduler(runtime: GenServerRuntime): DrainScheduler {
  return (runtime as unknown as { scheduler: DrainScheduler }).scheduler;
}

@GenServer()
class Tally {
  handled = 0;
  @HandleCast() note(): void {
    this.handled++;
  }
  @HandleCall() read(): number {
    return this.handled;
  }
}

@GenServer()
class Room {
  @HandleCall() ping(): string {
    return 'pong';
  }
}

const Hits = defineAgent<number>('hits');

async function boot(): Promise<{ app: TestingModule; runtime: GenServerRuntime }> {
  @Module({
    imports: [GenServerModule.forRoot({ clock: new ManualClock() }), GenServerModule.forDynamic(Room)],
    providers: [Tally, provideAgent(Hits, { initial: 0 })],
  })
  class AppModule {}
  const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return { app, runtime: app.get(GenServerRuntime) };
}

describe('the drain scheduler of an application', () => {
  it('is one for every process of the app: servers, dynamic children and agents', async () => {
    const { app, runtime } = await boot();
    const scheduler = appScheduler(runtime);
    expect(scheduler).toBeInstanceOf(DrainScheduler);
    const rooms = runtime.dynamicRef(Room);
    const child = await rooms?.startChild();
    const dynamicAgent = await runtime.startAgent('cart', () => [] as string[]);
    expect(schedulerOf(ServerRef.processOf(runtime.ref(Tally)))).toBe(scheduler);
    expect(schedulerOf(ServerRef.processOf(child as ServerRef<Room>))).toBe(scheduler);
    expect(schedulerOf((app.get(Hits.token) as Agent<number>).process)).toBe(scheduler);
    expect(schedulerOf(dynamicAgent.process)).toBe(scheduler);
    await app.close();
  });

  it('is not shared with another app in the same process: a flood in one does not hold up the other', async () => {
    const one = await boot();
    const two = await boot();
    expect(appScheduler(one.runtime)).not.toBe(appScheduler(two.runtime));
    const busy = one.runtime.ref(Tally);
    const lone = two.runtime.ref(Tally);
    let seen: { busy: number; lone: number } | undefined;
    // Queued before the flood: it runs once the first app's scheduler has yielded after one slice.
    setImmediate(() => {
      const handled = (ref: ServerRef<Tally>) => ServerRef.processOf(ref).info().handled.casts;
      seen = { busy: handled(busy), lone: handled(lone) };
    });
    for (let i = 0; i < SLICE + 100; i++) busy.cast('note');
    lone.cast('note');
    while (seen === undefined) await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual({ busy: SLICE, lone: 1 });
    expect(await busy.call('read')).toBe(SLICE + 100);
    await one.app.close();
    await two.app.close();
  });
});
