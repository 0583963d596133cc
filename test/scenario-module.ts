import type { Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { GenServerModule } from 'nestjs-genserver';
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
