import { SYSTEM_CLOCK, type ClientClock, type TimerHandle } from './client-clock.js';
import type { HeartbeatTimingOptions } from './client-options.js';
import { ConnectionFailure } from './connection-failure.js';

/** How often the wall clock is compared with the timers, to notice a sleep/resume. */
export const WAKE_CHECK_INTERVAL_MS = 5_000;
/** A check that comes this much later than planned means the machine slept (or the tab was frozen). */
export const WAKE_JUMP_THRESHOLD_MS = 2 * WAKE_CHECK_INTERVAL_MS;

export interface ClientHeartbeatHooks {
  /** Send a client ping; returns false if the socket could not take it. */
  sendPing(sequence: number, clientTime: number): boolean;
  /** The count of consecutive unanswered pings changed. */
  missedChanged(missed: number): void;
  /** The link is dead; the heartbeat has already stopped itself. */
  dead(failure: ConnectionFailure): void;
  /** A wall-clock jump was seen and a liveness check started. */
  wokeUp?(gapMs: number): void;
}

type Phase = 'stopped' | 'idle' | 'awaiting';

/** The bounds the heartbeat runs on (liveness-timing.ts sets them from welcome). */
type HeartbeatBounds = Pick<HeartbeatTimingOptions, 'pingInterval' | 'pongTimeout' | 'maxMissedPongs'>;

/**
 * The client's side of the heartbeat on one connection: a ping every `pingInterval`; a ping that
 * sees no inbound frame at all within `pongTimeout` is missed and is followed at once by another;
 * `maxMissedPongs` misses in a row end the connection. Every decision compares wall-clock times
 * (when the ping left, when the last frame arrived), never a count of timer callbacks, so timers
 * that fire a minute late in a throttled tab cannot fail a link that kept delivering frames.
 * Worst-case detection after the last inbound frame: pingInterval + maxMissedPongs × pongTimeout.
 */
export class ClientHeartbeat {
  #phase: Phase = 'stopped';
  #timer: TimerHandle | null = null;
  #wakeWatch: TimerHandle | null = null;
  #lastWakeCheckAt = 0;
  #lastInboundAt = 0;
  #pingSentAt = 0;
  #missed = 0;
  #sequence = 0;
  readonly #timing: HeartbeatBounds;
  readonly #hooks: ClientHeartbeatHooks;
  readonly #clock: ClientClock;

  constructor(timing: HeartbeatBounds, hooks: ClientHeartbeatHooks, clock: ClientClock = SYSTEM_CLOCK) {
    this.#timing = timing;
    this.#hooks = hooks;
    this.#clock = clock;
  }

  start(): void {
    if (this.#phase !== 'stopped') return;
    const now = this.#clock.now();
    this.#lastInboundAt = now;
    this.#lastWakeCheckAt = now;
    this.#phase = 'idle';
    this.#arm(this.#timing.pingInterval);
    this.#wakeWatch = this.#clock.setInterval(() => this.#checkForWake(), WAKE_CHECK_INTERVAL_MS);
  }

  stop(): void {
    if (this.#phase === 'stopped') return;
    this.#phase = 'stopped';
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    if (this.#wakeWatch !== null) this.#clock.clearInterval(this.#wakeWatch);
    this.#timer = null;
    this.#wakeWatch = null;
  }

  /** Any inbound frame proves the server alive. */
  frameReceived(): void {
    if (this.#phase === 'stopped') return;
    this.#lastInboundAt = this.#clock.now();
    if (this.#missed > 0) {
      this.#missed = 0;
      this.#hooks.missedChanged(0);
    }
  }

  /**
   * A ping now (manual, a page hint, a wake-up). While an earlier ping is still unanswered its
   * deadline stands: restarting it on every extra ping would let frequent hints or clicks postpone
   * the verdict on a dead link forever.
   */
  pingNow(): boolean {
    if (this.#phase === 'stopped') return false;
    if (this.#phase === 'awaiting' && this.#lastInboundAt < this.#pingSentAt) this.#sendExtraPing();
    else this.#ping();
    return true;
  }

  #ping(): void {
    const now = this.#clock.now();
    this.#sequence += 1;
    this.#pingSentAt = now;
    this.#phase = 'awaiting';
    this.#arm(this.#timing.pongTimeout);
    this.#hooks.sendPing(this.#sequence, now);
  }

  #sendExtraPing(): void {
    this.#sequence += 1;
    this.#hooks.sendPing(this.#sequence, this.#clock.now());
  }

  #arm(delayMs: number): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), delayMs);
  }

  #onTimer(): void {
    this.#timer = null;
    if (this.#phase === 'idle') {
      this.#ping();
      return;
    }
    if (this.#phase !== 'awaiting') return;
    const now = this.#clock.now();
    if (this.#lastInboundAt >= this.#pingSentAt) {
      this.#phase = 'idle';
      this.#arm(Math.max(0, this.#pingSentAt + this.#timing.pingInterval - now));
      return;
    }
    const waited = now - this.#pingSentAt;
    if (waited < this.#timing.pongTimeout) {
      // The timer ran early by the wall clock (the clock was set back): wait out the rest.
      this.#arm(this.#timing.pongTimeout - waited);
      return;
    }
    this.#missed += 1;
    this.#hooks.missedChanged(this.#missed);
    if (this.#missed >= this.#timing.maxMissedPongs) {
      const silentMs = now - this.#lastInboundAt;
      this.stop();
      this.#hooks.dead(ConnectionFailure.heartbeatTimeout(this.#missed, silentMs));
      return;
    }
    this.#ping();
  }

  #checkForWake(): void {
    const now = this.#clock.now();
    const gap = now - this.#lastWakeCheckAt;
    this.#lastWakeCheckAt = now;
    if (gap < WAKE_JUMP_THRESHOLD_MS || this.#phase === 'stopped') return;
    this.#hooks.wokeUp?.(gap);
    this.pingNow();
  }
}
