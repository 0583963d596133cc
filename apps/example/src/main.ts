import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks(); // SIGTERM/SIGINT drain the servers and run their @Terminate
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, '127.0.0.1');

const url = `http://127.0.0.1:${port}`;
new Logger('Example').log(
  [
    `nestjs-genserver example on ${url}. Try:`,
    `  curl ${url}/counter`,
    `  curl -X POST ${url}/counter/increment -H 'content-type: application/json' -d '{"by":5}'`,
    `  curl -X POST ${url}/counter/reset`,
    `  curl -X POST ${url}/counter/crash      # the server crashes; the next request gets a fresh instance`,
    `  curl ${url}/prices                     # the price sync: hourly on the hour, plus a demo every 10 s`,
    `  curl ${url}/jobs                       # every periodic job: next run, last run, duration, counts`,
    `  curl -X POST ${url}/jobs/PriceSync.demo/pause   # (and /resume, /trigger)`,
    `  curl ${url}/tree                       # status, restarts and last crash of every server`,
  ].join('\n'),
);
