import { Injectable } from '@nestjs/common';

/**
 * The demo setting of the database scenario: the fake database is down for the first 5 s after boot, so
 * a visitor sees the connection owner fail, back off (1 s, 2 s, 4 s) and connect at 7 s. Tests pin it with
 * `overrideProvider(DatabaseOptions).useValue({ downForMs: Infinity })` (down until `POST /db/up`).
 */
@Injectable()
export class DatabaseOptions {
  /** How long the fake database refuses connections after boot, in ms. */
  readonly downForMs: number = 5000;
}
