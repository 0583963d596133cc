/**
 * docs/getting-started.md, sections 1–3 and 6: the guide's code verbatim (but for import lines), and
 * what the guide says it does — over HTTP, on a manual clock.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Body, Controller, Injectable, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CallTimeoutError,
  GENSERVER_MODULE_OPTIONS,
  GenServer,
  GenServerModule,
  GenServerRuntime,
  HandleCall,
  HandleCast,
  HandleInfo,
  Init,
  InjectServer,
  ManualClock,
  Terminate,
  type ExitReason,
  type ServerRef,
} from 'nestjs-genserver';
import { GenServerTesting } from 'nestjs-genserver/testing';
import request from 'supertest';

/** The store the guide's counter loads from and saves to: here, memory. */
@Injectable()
class CounterStore {
  saved: number[] = [];
  async load(): Promise<number> {
    return this.saved.at(-1) ?? 0;
  }
  async save(count: number): Promise<void> {
    this.saved.push(count);
  }
}

// Section 2: write a server.
@GenServer()
export class Counter {
  private count = 0;
  lastMessage: unknown;
  constructor(private readonly store: CounterStore) {}

  @Init()
  async load(): Promise<void> {
    this.count = await this.store.load(); // no message is handled before this resolves
  }

  @HandleCall()
  increment(by = 1): number {
    this.count += by;
    return this.count; // the caller's reply
  }

  @HandleCall()
  async checkpoint(): Promise<number> {
    await this.store.save(this.count); // the next message waits for this, too
    return this.count;
  }

  @HandleCast()
  reset(): void {
    this.count = 0; // fire-and-forget: the sender does not wait
  }

  @HandleInfo()
  onMessage(message: unknown): void {
    this.lastMessage = message; // anything sent with ref.send(...)
  }

  @Terminate()
  async save(reason: ExitReason): Promise<void> {
    if (reason === 'shutdown') await this.store.save(this.count);
  }
}

// Section 3: register it and inject its ref.
@Controller('counter')
export class CounterController {
  constructor(@InjectServer(Counter) private readonly counter: ServerRef<Counter>) {}

  @Post('increment')
  increment(@Body() body: { by: number }): Promise<number> {
    return this.counter.call('increment', body.by);
  }

  @Post('reset')
  reset(): void {
    this.counter.cast('reset');
  }
}

@Module({
  imports: [GenServerModule.forFeature([Counter])],
  providers: [CounterStore, Counter],
  controllers: [CounterController],
})
export class CounterModule {}

// Section 1: install and register the module.
@Module({
  imports: [GenServerModule.forRoot(), CounterModule],
})
export class AppModule {}

describe('docs/getting-started.md', () => {
  it('sections 1–3: the counter loads in @Init, serializes HTTP calls, takes casts and info, saves on close', async () => {
    const harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }), {
      http: true,
    });
    const store = harness.app.get(CounterStore);
    const http = request(harness.app.getHttpServer());

    const replies = await Promise.all(
      Array.from({ length: 50 }, () => http.post('/counter/increment').send({ by: 2 })),
    );
    expect(replies.map((reply) => Number(reply.text)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => 2 * (i + 1)),
    ); // one message at a time: every reply is a different total
    harness.send(Counter, { hello: 'world' });
    expect(await harness.getState(Counter)).toMatchObject({ count: 100, lastMessage: { hello: 'world' } });

    await http.post('/counter/reset').expect(201);
    await expect(harness.ref(Counter).call('checkpoint')).resolves.toBe(0);
    await http.post('/counter/increment').send({ by: 7 }).expect(201, '7');
    await harness.close();
    expect(store.saved).toEqual([0, 7]); // the checkpoint, then @Terminate('shutdown')
  });

  it('section 6: test it', async () => {
    const clock = new ManualClock();
    const store = { load: jest.fn(async () => 10), save: jest.fn(async (_count: number) => undefined) };
    const moduleRef = await Test.createTestingModule({
      imports: [GenServerModule.forRoot({ clock }), CounterModule],
    })
      .overrideProvider(CounterStore)
      .useValue(store)
      .compile();
    const app = await moduleRef.init();
    const counter = app.get(GenServerRuntime).ref(Counter);

    await expect(counter.call('increment', 5)).resolves.toBe(15);

    // A store that does not answer: the call times out on the manual clock, with no real waiting.
    let finishSave!: () => void;
    store.save.mockImplementationOnce(
      () => new Promise<undefined>((resolve) => (finishSave = () => resolve(undefined))),
    );
    const slow = counter.call('checkpoint');
    clock.advanceBy(5000);
    await expect(slow).rejects.toBeInstanceOf(CallTimeoutError);
    finishSave(); // the handler is still running (as in OTP); let it finish

    await app.close(); // drains the mailbox and runs @Terminate
    expect(store.save).toHaveBeenLastCalledWith(15);
  });

  it('the forRoot options of section 1 reach the servers', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(GENSERVER_MODULE_OPTIONS)
      .useValue({ callTimeout: 1234, clock: new ManualClock() })
      .compile();
    const app = await moduleRef.init();
    const counter = app.get(GenServerRuntime).ref(Counter);
    expect(counter.info()).toMatchObject({ name: 'Counter', status: 'running' });
    await app.close();
  });
});
