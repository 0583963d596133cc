import { Controller, Get } from '@nestjs/common';
import { GenServerRuntime } from 'nestjs-genserver';

@Controller()
export class TreeController {
  constructor(private readonly runtime: GenServerRuntime) {}

  /** The live supervision tree: each server's status, mailbox, counts, restarts and last crash. */
  @Get('tree')
  tree() {
    return this.runtime.snapshot();
  }
}
