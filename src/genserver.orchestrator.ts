import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { GenServerExplorer } from './genserver.explorer.js';
import { GenServerRuntime } from './genserver.runtime.js';

/**
 * Starts the tree when the application has bootstrapped (every provider exists and `onModuleInit` ran)
 * and stops it on close. Stopping happens in `onModuleDestroy`, the earliest teardown hook, so servers
 * drain and run `@Terminate` before `beforeApplicationShutdown`/`onApplicationShutdown` close shared
 * resources. (Nest runs each teardown hook in reverse module order, global modules last.)
 */
@Injectable()
export class GenServerOrchestrator implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly explorer: GenServerExplorer,
    private readonly runtime: GenServerRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start(this.explorer.explore());
  }

  async onModuleDestroy(): Promise<void> {
    await this.runtime.stop();
  }
}
