/**
 * The showcase as a visitor meets it: the whole AppModule, every request of the tour it prints on start,
 * replayed in order — each must answer as the tour says — then time moves on and the scenarios show
 * their clocks at work, and the app shuts down cleanly.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import request from 'supertest';
import { AppModule } from '../apps/example/src/app.module.js';
import { curl, TOUR, tourText } from '../apps/example/src/tour.js';

describe('the showcase app', () => {
  let harness: GenServerHarness<INestApplication>;

  beforeEach(async () => {
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
    harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }), {
      http: true,
      now: '2026-03-05T10:17:42Z',
    });
  });
  afterEach(async () => {
    await harness.close();
    jest.restoreAllMocks();
  });

  it('answers every request of the tour, in order, as the tour says', async () => {
    const http = request(harness.app.getHttpServer());
    const answers: string[] = [];
    for (const { stops } of TOUR) {
      for (const stop of stops) {
        const method = stop.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
        const reply = await http[method](stop.path).send(stop.body);
        answers.push(
          `${stop.method} ${stop.path} → ${stop.answers.includes(reply.status) ? 'ok' : reply.status}`,
        );
        await harness.idle();
      }
    }
    expect(answers).toEqual(TOUR.flatMap(({ stops }) => stops.map((s) => `${s.method} ${s.path} → ok`)));
    expect(answers.length).toBeGreaterThanOrEqual(30);
  });

  it('prints every request of the tour as a curl command on start', () => {
    const text = tourText('http://127.0.0.1:3000');
    for (const { scenario, stops } of TOUR) {
      expect(text).toContain(scenario);
      for (const stop of stops) expect(text).toContain(curl('http://127.0.0.1:3000', stop));
    }
    expect(curl('http://h', TOUR[1]!.stops[1]!)).toBe(
      `curl -X POST http://h/games/game-1/join -H 'content-type: application/json' -d '{"player":"ana"}'`,
    );
    expect(curl('http://h', { method: 'GET', path: '/db/query?sql=x', note: 'rows', answers: [200] })).toBe(
      `curl "http://h/db/query?sql=x"${' '.repeat(30)}  # rows`,
    );
  });

  it('lets time do its work: the demo price sync, sweeps, backoff, retries, warm-up, metrics', async () => {
    const http = request(harness.app.getHttpServer());
    await http.post('/accounts').send({ email: 'ann@example.com' }).expect(202);
    await http.put('/cache/greeting').send({ value: 'hi', ttlMs: 8000 }).expect(200);

    await harness.advanceBy('1m');

    expect((await http.get('/prices').expect(200)).body.runs).toBeGreaterThan(0);
    expect((await http.get('/cache').expect(200)).body).toMatchObject({ size: 0 });
    await http.get('/cache/greeting').expect(404);
    expect((await http.get('/db').expect(200)).body).toMatchObject({ connected: true });
    await http.get('/db/query?sql=select%201').expect(200);
    expect((await http.get('/accounts/1').expect(200)).body).toMatchObject({
      crmId: expect.any(String),
      fulfillmentCenter: expect.any(String),
    });
    expect((await http.get('/metrics').expect(200)).body.samples.length).toBeGreaterThan(0);
    expect((await http.get('/warmer').expect(200)).body).toMatchObject({ warm: false }); // cooled after 30 s
    const tree = (await http.get('/tree').expect(200)).body;
    expect(tree).toMatchObject({ healthy: true, root: { status: 'running' } });
  });

  it('a crash from the debug endpoint is restarted and shows in /tree', async () => {
    const http = request(harness.app.getHttpServer());
    await http.post('/debug/crash/PriceSync').expect(202);
    await harness.idle();
    const tree = JSON.stringify((await http.get('/tree').expect(200)).body);
    expect(harness.runtime.whereis('PriceSync')!.info()).toMatchObject({ status: 'running', restarts: 1 });
    expect(tree).toContain('crashed on purpose from POST /debug/crash/PriceSync');
  });
});
