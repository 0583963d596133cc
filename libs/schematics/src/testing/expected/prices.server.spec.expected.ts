import { Test } from '@nestjs/testing';
import { GenServerModule } from 'nestjs-genserver';
import {
  type GenServerHarness,
  GenServerTesting,
} from 'nestjs-genserver/testing';
import { PricesServer } from './prices.server';

describe('PricesServer', () => {
  let harness: GenServerHarness;

  beforeEach(async () => {
    harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [PricesServer],
      }),
    );
  });

  afterEach(() => harness.close());

  it('replies to calls in order', async () => {
    const server = harness.ref(PricesServer);
    await server.call('increment', 2);
    expect(await server.call('increment')).toBe(3);
  });

  it('handles a cast after what was sent before it', async () => {
    const server = harness.ref(PricesServer);
    await server.call('increment', 5);
    server.cast('reset');
    expect(await server.call('value')).toBe(0);
  });

  it('restarts with a fresh state after a crash', async () => {
    await harness.ref(PricesServer).call('increment', 5);
    await harness.crash(PricesServer, new Error('crash drill'));
    expect(await harness.ref(PricesServer).call('value')).toBe(0);
    expect(harness.info(PricesServer).restarts).toBe(1);
  });
});
