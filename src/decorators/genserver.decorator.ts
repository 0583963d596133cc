import { Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import { GENSERVER_METADATA } from '../genserver.constants.js';
import type { GenServerOptions } from '../interfaces/genserver-options.interface.js';

/**
 * Makes a provider a GenServer: at bootstrap it becomes a process whose `@HandleCall`, `@HandleCast` and
 * `@HandleInfo` methods run one message at a time, so its fields are never touched concurrently. Its
 * constructor dependencies come from Nest DI. Add it to a module's `providers`, and reach it through
 * `@InjectServer(ThisClass)`; the instance itself is never handed out.
 *
 * @example
 * @GenServer({ callTimeout: 2000 })
 * export class Counter {
 *   private count = 0;
 *   @HandleCall() increment(by = 1) { return (this.count += by); }
 * }
 */
export function GenServer(options: GenServerOptions = {}): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(GENSERVER_METADATA, options));
}
