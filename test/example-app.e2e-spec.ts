import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GENSERVER_MODULE_OPTIONS, ManualClock } from 'nestjs-genserver';
import request from 'supertest';
import { AppModule } from '../apps/example/src/app.module.js';
import { CounterStore } from '../apps/example/src/counter/counter-store.js';
import { PriceFeed } from '../apps/example/src/prices/price-feed.js';

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
      .overrideProvider(PriceFeed)
      .useValue({ fetch: () => Promise.resolve(100) })
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
    expect(tree.body.root.children.find((c: { name: string }) => c.name === 'CounterServer')).toMatchObject({
      name: 'CounterServer',
      restarts: 1,
      status: 'running',
    });
  });

  it('POST /debug/crash/:name crashes the chosen server after its queued work; /tree shows the restart', async () => {
    const http = request(app.getHttpServer());
    await http.post('/counter/increment').send({ by: 2 }).expect(201, { count: 42 });
    await http.post('/debug/crash/CounterServer').expect(202, { crashed: 'CounterServer', watch: '/tree' });
    await http.get('/counter').expect(200, { count: 40 }); // a fresh instance, loaded from the store
    const tree = await http.get('/tree').expect(200);
    expect(tree.body.root.children.find((c: { name: string }) => c.name === 'CounterServer')).toMatchObject({
      name: 'CounterServer',
      restarts: 1,
      lastCrash: { error: 'Error: crashed on purpose from POST /debug/crash/CounterServer' },
    });
    const unknown = await http.post('/debug/crash/Nobody').expect(404);
    expect(unknown.body.message).toBe(
      "There is no server named 'Nobody': GET /tree lists the servers by name.",
    );
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

describe('example app: the price sync on a manual clock', () => {
  let app: INestApplication;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 5, 10, 59, 55));
    let price = 100;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(GENSERVER_MODULE_OPTIONS)
      .useValue({ clock })
      .overrideProvider(CounterStore)
      .useValue(new FakeStore(0))
      .overrideProvider(PriceFeed)
      .useValue({
        fetch: () => {
          clock.advanceBy(250); // the API takes 250 ms
          return Promise.resolve(++price);
        },
      })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterEach(async () => {
    await app?.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('syncs on the demo schedule and at the top of the hour, and reports it', async () => {
    const http = request(app.getHttpServer());
    await http.get('/prices').expect(200, {
      price: null,
      lastRunAt: null,
      lastDurationMs: null,
      lastResult: null,
      runs: 0,
      failures: 0,
      history: [],
    });
    await clock.advanceByAsync(10_000); // demo at +10 s; the hour (11:00:00) comes first, at +5 s
    const { body } = await http.get('/prices').expect(200);
    expect(body).toMatchObject({ price: 102, lastRunAt: '2026-03-05T11:00:05.000Z', runs: 2, failures: 0 });
    expect(body.history[0]).toEqual({
      at: '2026-03-05T11:00:05.000Z',
      trigger: 'demo',
      durationMs: 250,
      result: 'ok',
      price: 102,
    });
    const jobs = await http.get('/jobs').expect(200);
    expect(
      jobs.body
        .filter((j: { name: string }) => j.name.startsWith('PriceSync.'))
        .map((j: { name: string; schedule: string; runs: number }) => [j.name, j.schedule, j.runs]),
    ).toEqual([
      ['PriceSync.hourly', 'every 1h, aligned', 1],
      ['PriceSync.demo', 'every 10s, fixed rate', 1],
    ]);
    expect(jobs.body[0]).toMatchObject({
      lastRunAt: Date.UTC(2026, 2, 5, 11),
      lastDurationMs: 250,
      nextRunAt: Date.UTC(2026, 2, 5, 12),
    });
  });

  it('pauses, resumes and triggers a job over HTTP; an unknown job is a 404', async () => {
    const http = request(app.getHttpServer());
    await http.post('/jobs/PriceSync.demo/pause').expect(204);
    await clock.advanceByAsync(30_000);
    expect((await http.get('/prices')).body.runs).toBe(1); // only the hourly one
    await http.post('/jobs/PriceSync.demo/trigger').expect(202, { queued: true });
    await clock.settle();
    expect((await http.get('/prices')).body.history[0].trigger).toBe('demo');
    await http.post('/jobs/PriceSync.demo/resume').expect(204);
    await clock.advanceByAsync(10_000);
    expect((await http.get('/prices')).body.runs).toBe(3);
    const missing = await http.post('/jobs/Nope.sync/trigger').expect(404);
    expect(missing.body).toMatchObject({ error: 'JOB_NOT_FOUND' });
  });
});
