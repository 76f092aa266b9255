import { Injectable } from '@nestjs/common';

/** Wall-clock source of the module; replace the provider to control time in tests. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
