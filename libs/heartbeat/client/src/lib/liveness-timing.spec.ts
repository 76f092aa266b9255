import { describe, expect, it } from '@jest/globals';
import { livenessFromWelcome, type LivenessOptionName } from './liveness-timing.js';

const CONFIGURED = { pingInterval: 30_000, pongTimeout: 10_000, maxMissedPongs: 3 };
const SERVER = { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 };
const own = (...names: LivenessOptionName[]) => new Set(names);

describe('livenessFromWelcome', () => {
  it("takes the server's ping interval and misses, and keeps its pongTimeout when that gives up before the server does", () => {
    expect(livenessFromWelcome(CONFIGURED, own(), SERVER)).toEqual({ pingInterval: 25_000, pongTimeout: 10_000, maxMissedPongs: 3 });
  });

  it('shortens pongTimeout so that a silent link is given up no later than heartbeat_timeout', () => {
    expect(livenessFromWelcome(CONFIGURED, own(), { ping_interval: 2000, heartbeat_timeout: 5000, max_missed_pings: 3 })).toEqual({
      pingInterval: 2000,
      pongTimeout: 1000,
      maxMissedPongs: 3,
    });
  });

  it('keeps every option the app set', () => {
    expect(livenessFromWelcome(CONFIGURED, own('pingInterval', 'pongTimeout', 'maxMissedPongs'), SERVER)).toEqual(CONFIGURED);
  });

  it('derives pongTimeout from the ping interval the app kept', () => {
    expect(livenessFromWelcome(CONFIGURED, own('pingInterval'), { ...SERVER, heartbeat_timeout: 45_000 })).toEqual({
      pingInterval: 30_000,
      pongTimeout: 5000,
      maxMissedPongs: 3,
    });
  });

  it('takes a third of the ping interval when the derived pongTimeout is not below it', () => {
    expect(livenessFromWelcome(CONFIGURED, own(), { ping_interval: 1000, heartbeat_timeout: 90_000, max_missed_pings: 3 })).toEqual({
      pingInterval: 1000,
      pongTimeout: 333,
      maxMissedPongs: 3,
    });
    expect(livenessFromWelcome(CONFIGURED, own(), { ping_interval: 1000, heartbeat_timeout: 500, max_missed_pings: 3 }).pongTimeout).toBe(333);
  });

  it("keeps the app's ping interval when the server's is not above the app's own pongTimeout", () => {
    expect(livenessFromWelcome(CONFIGURED, own('pongTimeout'), { ...SERVER, ping_interval: 5000 })).toEqual({
      pingInterval: 30_000,
      pongTimeout: 10_000,
      maxMissedPongs: 3,
    });
  });

  it('ignores server values of 0, which cannot be bounds', () => {
    expect(livenessFromWelcome(CONFIGURED, own(), { ping_interval: 0, heartbeat_timeout: 0, max_missed_pings: 0 })).toEqual({
      pingInterval: 30_000,
      pongTimeout: 10_000,
      maxMissedPongs: 3,
    });
  });
});
