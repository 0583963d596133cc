import { Controller, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { GenServerRuntime } from 'nestjs-genserver';

/**
 * Crashes a chosen server so a visitor can watch its supervisor restart it: `GET /tree` before and
 * after shows the restart count, the last crash and a fresh uptime. A demo tool; guard or remove such
 * an endpoint in production.
 */
@Controller('debug')
export class DebugController {
  constructor(private readonly runtime: GenServerRuntime) {}

  /** `POST /debug/crash/PriceSync`, or a dynamic child: `POST /debug/crash/GameServer?key=<game id>`. */
  @Post('crash/:name')
  @HttpCode(202)
  crash(@Param('name') name: string, @Query('key') key?: string): { crashed: string; watch: string } {
    const ref = this.runtime.whereis(name, key);
    if (ref === undefined) {
      const what = key === undefined ? `server named '${name}'` : `'${name}' child with key '${key}'`;
      throw new NotFoundException(`There is no ${what}: GET /tree lists the servers by name.`);
    }
    ref.crash(new Error(`crashed on purpose from POST /debug/crash/${name}`));
    return { crashed: ref.name, watch: '/tree' };
  }
}
