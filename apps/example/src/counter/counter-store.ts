import { Injectable } from '@nestjs/common';

/**
 * Where the counter persists its value. In-memory here so the example needs no services; a real app
 * would use a database. Tests replace it with `overrideProvider(CounterStore)`.
 */
@Injectable()
export class CounterStore {
  private saved = 0;

  async load(): Promise<number> {
    return this.saved;
  }

  async save(value: number): Promise<void> {
    this.saved = value;
  }
}
