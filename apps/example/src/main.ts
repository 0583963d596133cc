import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { tourText } from './tour.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks(); // SIGTERM/SIGINT drain the servers and run their @Terminate
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, '127.0.0.1');
new Logger('Showcase').log(tourText(`http://127.0.0.1:${port}`));
