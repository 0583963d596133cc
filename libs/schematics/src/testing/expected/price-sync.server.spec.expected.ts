import { Test } from '@nestjs/testing';
import { GenServerModule } from 'nestjs-genserver';
import {
  type GenServerHarness,
  GenServerTesting,
} from 'nestjs-genserver/testing';
import { PriceSyncServer } from './price-sync.server';

describe('PriceSyncServer', () => {
  let harness: GenServerHarness;

  beforeEach(async () => {
    // A manual clock: time only moves when the test says so.
    harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [PriceSyncServer],
      }),
      { now: '2026-01-05T10:17:42Z' },
    );
  });

  afterEach(() => harness.close());

  it('runs on its schedule', async () => {
    const job = () => harness.job('PriceSyncServer.run');
    expect(job().runs).toBe(0);

    await harness.advanceTo(job().nextRunAt!);
    await harness.advanceTo(job().nextRunAt!);

    expect(job().runs).toBe(2);
    expect((await harness.ref(PriceSyncServer).call('status')).runs).toBe(2);
  });
});
