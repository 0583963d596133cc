import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { InjectServer, type ServerRef } from 'nestjs-genserver';
import { CounterServer } from './counter.server.js';

@Controller('counter')
export class CounterController {
  constructor(@InjectServer(CounterServer) private readonly counter: ServerRef<CounterServer>) {}

  @Get()
  value() {
    return this.counter.call('value');
  }

  @Post('increment')
  async increment(@Body() body: { by?: number } = {}) {
    return { count: await this.counter.call('increment', Number(body?.by ?? 1)) };
  }

  @Post('reset')
  @HttpCode(202)
  reset() {
    this.counter.cast('reset');
    return { accepted: true };
  }

  @Post('checkpoint')
  async checkpoint() {
    return { saved: await this.counter.call('checkpoint') };
  }

  /** Crashes the server on purpose: watch the error, then the next request answered by a fresh instance. */
  @Post('crash')
  crash() {
    return this.counter.call('crash', 'crashed on purpose from POST /counter/crash');
  }
}
