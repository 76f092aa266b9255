import { Injectable } from '@nestjs/common';

/**
 * Wall-clock source of the module; replace the provider to control time in tests. The server core's
 * timers run on Node's (NestClock); they read the time from here.
 */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
