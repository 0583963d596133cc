import type { Type } from '@nestjs/common';
import { type GenServerStartSelection, type GenServerTestingHooks, ManualClock } from 'nestjs-genserver';
import { LifecycleRecorder } from './lifecycle-recorder.js';

/**
 * What `GenServerTesting.configure()` gives one application: its manual clock, what starts at
 * bootstrap, its mocks and its event recorder. The runtime reads it through the `GENSERVER_TESTING`
 * token; the harness finds it there again. Nothing is shared between two sessions.
 */
export class TestingSession implements GenServerTestingHooks {
  readonly recorder = new LifecycleRecorder();
  readonly events = this.recorder.record;

  constructor(
    readonly clock: ManualClock,
    readonly start: GenServerStartSelection,
    readonly mocks: ReadonlyMap<Type<object>, object>,
  ) {}
}
