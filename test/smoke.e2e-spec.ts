import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class Dep { hello() { return 'hi'; } }
@Injectable()
class Svc { constructor(readonly dep: Dep) {} }
@Module({ providers: [Dep, Svc] })
class M {}

it('boots', async () => {
  const m = await Test.createTestingModule({ imports: [M] }).compile();
  expect(m.get(Svc).dep.hello()).toBe('hi');
  await m.close();
});
