import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type DynamicSupervisorRef,
  GenServer,
  GenServerModule,
  HandleCall,
  InvalidDefinitionError,
} from 'nestjs-genserver';
import { GenServerTesting, type GenServerHarness } from 'nestjs-genserver/testing';

@GenServer()
class Session {
  hits = 0;
  @HandleCall() hit(): number {
    return ++this.hits;
  }
}

/** The settings an app reads from configuration, and a test overrides. */
@Injectable()
class SessionOptions {
  idleTimeout = '30m';
  maxChildren = 100;
}

@Module({ providers: [SessionOptions], exports: [SessionOptions] })
class SessionOptionsModule {}

@Module({
  imports: [
    GenServerModule.forRoot(),
    GenServerModule.forDynamicAsync(Session, {
      imports: [SessionOptionsModule],
      useFactory: async (options: SessionOptions) => ({
        idleTimeout: options.idleTimeout,
        maxChildren: options.maxChildren,
      }),
      inject: [SessionOptions],
    }),
  ],
})
class AppModule {}

/** GenServerModule.forDynamicAsync: a DynamicSupervisor's options from injected providers. */
describe('GenServerModule.forDynamicAsync', () => {
  let harness: GenServerHarness | undefined;
  afterEach(() => harness?.close());

  const sessions = (h: GenServerHarness): DynamicSupervisorRef<Session> => h.runtime.dynamicRef(Session)!;

  it('reads the options from the factory: a duration string as the idle timeout', async () => {
    harness = await GenServerTesting.start(Test.createTestingModule({ imports: [AppModule] }));
    await (await sessions(harness).startChild(undefined, { key: 'ann' })).call('hit');
    await harness.advanceBy(30 * 60_000 - 1);
    expect(sessions(harness).lookup('ann')).toBeDefined();
    await harness.advanceBy(1);
    expect(sessions(harness).lookup('ann')).toBeUndefined(); // evicted at exactly 30 minutes of silence
  });

  it('takes a test’s overridden options provider', async () => {
    harness = await GenServerTesting.start(
      Test.createTestingModule({ imports: [AppModule] })
        .overrideProvider(SessionOptions)
        .useValue({ idleTimeout: 1000, maxChildren: 1 }),
    );
    await sessions(harness).startChild(undefined, { key: 'ann' });
    await expect(sessions(harness).startChild(undefined, { key: 'bob' })).rejects.toMatchObject({
      code: 'MAX_CHILDREN',
    });
    await harness.advanceBy('1s');
    expect(sessions(harness).countChildren()).toEqual({ total: 0, running: 0 });
  });

  it('fails bootstrap with a named error for a bad duration, or without a factory', async () => {
    const bad = Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(SessionOptions)
      .useValue({ idleTimeout: '30 minutes', maxChildren: 1 })
      .compile();
    await expect(bad).rejects.toThrow(InvalidDefinitionError);
    await expect(bad).rejects.toThrow(/Session.*idleTimeout/);
    expect(() =>
      GenServerModule.forDynamicAsync(Session, {} as Parameters<typeof GenServerModule.forDynamicAsync>[1]),
    ).toThrow('GenServerModule.forDynamicAsync(Session) needs a useFactory function returning the options.');
  });
});
