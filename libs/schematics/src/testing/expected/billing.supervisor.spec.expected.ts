import { Test } from '@nestjs/testing';
import { GenServerModule } from 'nestjs-genserver';
import {
  type GenServerHarness,
  GenServerTesting,
} from 'nestjs-genserver/testing';
import { BillingSupervisor } from './billing.supervisor';

describe('BillingSupervisor', () => {
  let harness: GenServerHarness;

  beforeEach(async () => {
    harness = await GenServerTesting.start(
      Test.createTestingModule({
        imports: [GenServerModule.forRoot()],
        providers: [BillingSupervisor], // and its children
      }),
    );
  });

  afterEach(() => harness.close());

  it('runs under the root supervisor', () => {
    const node = harness.runtime
      .snapshot()
      .root.children.find((child) => child.name === 'BillingSupervisor');
    expect(node).toMatchObject({
      type: 'supervisor',
      strategy: 'one_for_one',
      status: 'running',
    });
  });
});
