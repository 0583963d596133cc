import { jest } from '@jest/globals';
import { type INestApplication, Logger, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { GenServerModule } from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';
import request from 'supertest';
import { GenServerErrorsFilter } from '../apps/example/src/genserver-errors.filter.js';

/**
 * A testing module of one showcase scenario as the app runs it: `GenServerModule.forRoot()`, the
 * scenario's module, and the app's filter that turns the library's errors into HTTP answers. Chain
 * `overrideProvider` on it, then give it to `GenServerTesting.start(…, { http: true })`.
 */
export function scenarioModule(scenario: Type<unknown>): TestingModuleBuilder {
  return Test.createTestingModule({
    imports: [GenServerModule.forRoot(), scenario],
    providers: [{ provide: APP_FILTER, useClass: GenServerErrorsFilter }],
  });
}

/** A scenario's app started over HTTP, and the spy on Nest's log lines (warnings are silenced too). */
export interface ScenarioApp {
  readonly harness: GenServerHarness<INestApplication>;
  readonly http: ReturnType<typeof request>;
  readonly log: jest.Spied<Logger['log']>;
}

/**
 * Starts `builder` (usually {@link scenarioModule}) as an HTTP app on the manual clock at `now`, with
 * Nest's log and warn lines captured instead of printed; the log spy starts empty, past bootstrap.
 */
export async function startScenario(
  builder: TestingModuleBuilder,
  now: string = '2026-03-05T10:17:42Z',
): Promise<ScenarioApp> {
  const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const harness = await GenServerTesting.start(builder, { http: true, now });
  log.mockClear(); // Nest's bootstrap lines
  return { harness, http: request(harness.app.getHttpServer()), log };
}
