import { describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { NestClock } from './nest-clock.js';

describe('NestClock', () => {
  const clock = () => {
    const scheduler = new SchedulerRegistry();
    return { scheduler, clock: new NestClock({ now: () => 1_234 }, scheduler) };
  };

  describe('#now', () => {
    it('reads the Clock provider it was given', () => {
      expect(clock().clock.now()).toBe(1_234);
    });
  });

  describe('#setTimeout', () => {
    it('lists a named timer in the SchedulerRegistry, replacing the previous one of that name', () => {
      const { scheduler, clock: nest } = clock();
      const first = nest.setTimeout(() => undefined, 60_000, { name: 'heartbeat:ping-tick' });
      const second = nest.setTimeout(() => undefined, 60_000, { name: 'heartbeat:ping-tick' });
      expect(scheduler.getTimeouts()).toEqual(['heartbeat:ping-tick']);
      expect(scheduler.getTimeout('heartbeat:ping-tick')).toBe(second);
      nest.clearTimer(first);
      expect(scheduler.getTimeouts()).toEqual(['heartbeat:ping-tick']);
      nest.clearTimer(second);
      expect(scheduler.getTimeouts()).toEqual([]);
    });

    it('does not list unnamed timers, and unrefs background ones', () => {
      const { scheduler, clock: nest } = clock();
      const timer = nest.setTimeout(() => undefined, 60_000, { background: true }) as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      expect(scheduler.getTimeouts()).toEqual([]);
      nest.clearTimer(timer);
    });
  });

  describe('#clearTimer', () => {
    it('copes with a named interval that the application already took off its registry', () => {
      const { scheduler, clock: nest } = clock();
      const timer = nest.setInterval(() => undefined, 60_000, { name: 'heartbeat:sweep' });
      expect(scheduler.getIntervals()).toEqual(['heartbeat:sweep']);
      scheduler.deleteInterval('heartbeat:sweep');
      expect(() => nest.clearTimer(timer)).not.toThrow();
      expect(() => nest.clearTimer(timer)).not.toThrow();
    });
  });
});
