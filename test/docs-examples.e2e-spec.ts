import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { CallTimeoutError, GenServerModule, GenServerRuntime, ManualClock } from 'nestjs-genserver';
import { CounterStore } from '../apps/example/src/counter/counter-store.js';
import { CounterModule } from '../apps/example/src/counter/counter.module.js';
import { CounterServer as Counter } from '../apps/example/src/counter/counter.server.js';

/** The testing example of docs/getting-started.md, verbatim, so the guide cannot drift from the code. */
describe('docs/getting-started.md', () => {
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
});
