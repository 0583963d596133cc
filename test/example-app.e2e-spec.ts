import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../apps/example/src/app.module.js';
import { CounterStore } from '../apps/example/src/counter/counter-store.js';

/** A store double: what the counter saved, and a starting value. */
class FakeStore {
  saved: number[] = [];
  constructor(private readonly initial: number) {}
  async load(): Promise<number> {
    return this.saved.at(-1) ?? this.initial;
  }
  async save(value: number): Promise<void> {
    this.saved.push(value);
  }
}

describe('example app over HTTP', () => {
  let app: INestApplication;
  let store: FakeStore;

  beforeEach(async () => {
    store = new FakeStore(40);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(CounterStore)
      .useValue(store)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterEach(async () => {
    await app?.close();
  });

  it('increments through the controller, starting from what @Init loaded', async () => {
    const http = request(app.getHttpServer());
    await http.post('/counter/increment').send({ by: 2 }).expect(201, { count: 42 });
    await http.get('/counter').expect(200, { count: 42, lastChange: '+2' });
  });

  it('serializes 200 concurrent HTTP increments', async () => {
    const server = app.getHttpServer();
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => request(server).post('/counter/increment').send({ by: 1 })),
    );
    expect(replies.every((r) => r.status === 201)).toBe(true);
    await request(server).get('/counter').expect(200, { count: 240, lastChange: '+1' });
  });

  it('a crash answers 500 with the typed error, and a fresh instance serves the next request', async () => {
    const http = request(app.getHttpServer());
    await http.post('/counter/increment').send({ by: 5 }).expect(201);
    const crash = await http.post('/counter/crash').expect(500);
    expect(crash.body).toMatchObject({ error: 'SERVER_CRASHED' });
    expect(crash.body.message).toContain("CounterServer crashed while handling call 'crash'");
    await http.get('/counter').expect(200, { count: 40 });
    const tree = await http.get('/tree').expect(200);
    expect(tree.body.root.children[0]).toMatchObject({
      name: 'CounterServer',
      restarts: 1,
      status: 'running',
    });
  });

  it('casts return 202 at once; closing the app saves the state via @Terminate', async () => {
    const http = request(app.getHttpServer());
    await http.post('/counter/increment').send({ by: 3 }).expect(201);
    await http.post('/counter/reset').expect(202, { accepted: true });
    await http.post('/counter/increment').send({ by: 7 }).expect(201, { count: 7 });
    await app.close();
    expect(store.saved).toEqual([7]);
  });
});
