import { type ClientPingFrame, CloseCode } from '@heartbeat/protocol';
import type { CoreClock, TimerHandle } from './clock.port.js';
import type { ConnectionReleaser } from './connection-registry.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import type { HeartbeatSample } from './heartbeat-events.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';
import { PingFrameEncoder } from './ping-frame-encoder.js';
import { SampleStream } from './sample-stream.js';

/** Aim for one wheel tick per 50 ms: fine enough to spread pings, coarse enough to stay cheap. */
const TARGET_TICK_MS = 50;
const MAX_SLOTS = 1_000;
/**
 * Consecutive slots are served in one turn while together they hold at most this many connections.
 * Pings and their pongs handled in batches cost less CPU each than a few per tick (about a fifth
 * less at 5,000 connections pinged every second, docs/benchmarks.md), and a thousand pings block the
 * event loop for about 10 ms.
 */
export const PINGS_PER_TURN = 1_000;
/**
 * A turn spans at most this much of the wheel: when the number of connections changes, a slot's
 * next ping can come up to one turn later than pingInterval, which the detection bound allows for
 * (docs/server.md#detection-time).
 */
const MAX_TURN_MS = 1_000;

/** The name the application sees the ping wheel's timer under (its SchedulerRegistry, under Nest). */
export const PING_TICK_INTERVAL = 'heartbeat:ping-tick';

/** Why a peer was declared dead: the two rules of docs/server.md#the-two-rules. */
export type TimeoutCause = 'missed_pings' | 'heartbeat_timeout';

/**
 * Sends the server's pings. Connections are placed on a timing wheel of `pingInterval / tick` slots,
 * each in the least-filled slot, and the slots are served in turn: every connection is pinged once
 * per interval. A turn serves as many consecutive slots as hold about PINGS_PER_TURN connections
 * (one slot per tick when each holds that many or more), so that N connections produce bursts of
 * at most about PINGS_PER_TURN pings instead of one burst of N, and few connections are not pinged
 * a handful per tick (docs/server.md#how-pings-are-spread-a-timing-wheel).
 *
 * When a connection's turn comes and the previous ping is still unanswered (no inbound frame since),
 * that ping counts as missed; after `maxMissedPings` misses in a row the peer is declared dead.
 */
export class PingScheduler implements ConnectionReleaser {
  private readonly slots: Set<HeartbeatConnection>[];
  private readonly tickMs: number;
  private cursor = 0;
  /** Connections on the wheel: what a turn's batch is sized by. */
  private connections = 0;
  /** The most slots one turn serves: all of them, or MAX_TURN_MS of the wheel. */
  private readonly maxSlotsPerTurn: number;
  /** When (the clock's monotonic reading) the next slot is due: the wheel keeps its own schedule. */
  private nextSlotAt = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly frames = new PingFrameEncoder();
  private readonly samples = new SampleStream<HeartbeatSample>();
  private readonly onTimer = (): void => this.turn();
  /** Every answered ping (RTT and clock offset), for metrics. */
  readonly samples$ = this.samples.observable;

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'pingInterval' | 'maxMissedPings'>,
    private readonly clock: CoreClock,
    private readonly counters: HeartbeatCounters,
    private readonly events: LifecycleEvents,
    private readonly logger: CoreLogger,
    private readonly pingsPerTurn = PINGS_PER_TURN,
  ) {
    const slotCount = Math.min(MAX_SLOTS, Math.max(1, Math.round(options.pingInterval / TARGET_TICK_MS)));
    this.slots = Array.from({ length: slotCount }, () => new Set<HeartbeatConnection>());
    this.tickMs = options.pingInterval / slotCount;
    this.maxSlotsPerTurn = Math.min(slotCount, Math.max(1, Math.floor(MAX_TURN_MS / this.tickMs)));
  }

  /** Starts turning the wheel (the application started). */
  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.nextSlotAt = this.clock.monotonic() + this.tickMs;
    this.arm();
  }

  /**
   * Pings stop when the application starts closing (an application's ScheduleModule clears its
   * timers then too). The drain that follows lasts at most drainWindow plus the close grace, and
   * client pings are still answered during it. For good: a stopped wheel does not start again.
   */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Starts pinging a connection that completed its handshake. */
  add(connection: HeartbeatConnection): void {
    if (connection.pingSlot !== -1) return;
    let slot = 0;
    for (let i = 1; i < this.slots.length; i++) {
      if (this.slots[i].size < this.slots[slot].size) slot = i;
    }
    connection.placeInWheel(slot);
    this.slots[slot].add(connection);
    this.connections++;
  }

  /** Takes a connection off the wheel (it closed, or is declared dead). */
  release(connection: HeartbeatConnection): void {
    if (connection.pingSlot === -1) return;
    this.slots[connection.pingSlot].delete(connection);
    connection.placeInWheel(-1);
    this.connections--;
  }

  /** Answers a client's own ping at once; `server_time` lets the client estimate its clock offset. */
  answerPing(connection: HeartbeatConnection, frame: ClientPingFrame): void {
    const now = this.clock.now();
    const count = connection.recordClientPing();
    this.counters.clientPinged();
    connection.send({
      type: 'pong',
      timestamp: new Date(now).toISOString(),
      server_time: now,
      client_time: frame.client_time,
      sequence: frame.sequence,
      ping_count: count,
    });
  }

  /**
   * Records the client's answer to a server ping. The RTT ends when the frame arrived (the router
   * stamped `lastInboundAt` before parsing it), so parsing and queueing on a busy server do not
   * count as network time.
   */
  recordPong(connection: HeartbeatConnection, sequence: number, clientTime: number): void {
    const now = connection.lastInboundAt;
    this.counters.pongReceived();
    const rtt = connection.recordPong(sequence, clientTime, now);
    if (rtt !== undefined && this.samples.observed) {
      this.samples.next({ connectionId: connection.id, rttMs: rtt, clockOffsetMs: connection.clockOffsetMs ?? 0, at: now });
    }
  }

  /**
   * Declares the peer dead and destroys its transport at once (a dead peer cannot complete a close
   * handshake). Both rules end here: missed pings (the wheel) and silence (HeartbeatSweeper).
   */
  timeOut(connection: HeartbeatConnection, cause: TimeoutCause): void {
    if (connection.isClosing) return;
    this.release(connection);
    const now = this.clock.now();
    const silentForMs = now - connection.lastInboundAt;
    this.counters.timedOut();
    const why = cause === 'missed_pings' ? `${connection.missedPings} pings unanswered` : `silent for ${silentForMs} ms`;
    this.logger.warn(HeartbeatMessages.logTimedOut(connection.id, why));
    this.events.emit({
      type: 'timed_out',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      userId: connection.userId,
      cause,
      missedPings: connection.missedPings,
      silentForMs,
      at: now,
    });
    connection.terminate(CloseCode.HeartbeatTimeout, `heartbeat timeout: ${why}`);
  }

  /**
   * One timer per turn, each armed for the turn's time on a fixed schedule. An interval would re-arm
   * from the moment its callback ran, so every late firing (a fraction of a millisecond, more under
   * load) would stretch each turn of the wheel beyond pingInterval (by 0.5–2 %: seconds at the default
   * settings) and the worst-case detection time with it. A stall longer than a tick (a blocked event
   * loop) is not caught up, which would ping in a burst: the schedule restarts from now.
   */
  private arm(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, this.nextSlotAt - this.clock.monotonic()), { name: PING_TICK_INTERVAL });
  }

  private turn(): void {
    // The round's last turn serves what is left: every round starts at slot 0 and lasts pingInterval.
    const slotsThisTurn = Math.min(this.batchSlots(), this.slots.length - this.cursor);
    const turnMs = slotsThisTurn * this.tickMs;
    const now = this.clock.monotonic();
    // Late by more than the turn: the event loop was blocked. Timers run before sockets are read, so
    // the answers to the last pings may be waiting unread: this turn pings without counting misses
    // (the silence rule still holds, docs/server.md#the-two-rules).
    const late = now - this.nextSlotAt > turnMs;
    this.nextSlotAt = late ? now + turnMs : this.nextSlotAt + turnMs;
    try {
      for (let served = 0; served < slotsThisTurn; served++) this.tick(!late);
    } finally {
      this.arm();
    }
  }

  /**
   * How many consecutive slots hold about PINGS_PER_TURN connections (the wheel is evenly filled),
   * sized afresh each turn, so that connections arriving in a burst are spread from the next turn
   * on: at least one, at most maxSlotsPerTurn. An empty wheel is turned as seldom as it may be (once
   * per MAX_TURN_MS, or per pingInterval when that is shorter), not once per tick: an idle server is
   * not woken 20 times a second for nothing.
   */
  private batchSlots(): number {
    if (this.connections === 0) return this.maxSlotsPerTurn;
    const perSlot = this.connections / this.slots.length;
    return Math.max(1, Math.min(this.maxSlotsPerTurn, Math.floor(this.pingsPerTurn / perSlot)));
  }

  private tick(countMisses: boolean): void {
    const slot = this.slots[this.cursor];
    this.cursor = (this.cursor + 1) % this.slots.length;
    if (slot.size === 0) return;
    const now = this.clock.now();
    this.frames.begin(new Date(now).toISOString(), now);
    for (const connection of slot) {
      if (countMisses && connection.countMissedPing() >= this.options.maxMissedPings) {
        this.timeOut(connection, 'missed_pings');
        continue;
      }
      this.ping(connection, now);
    }
  }

  private ping(connection: HeartbeatConnection, now: number): void {
    const sequence = connection.pingsSent + 1;
    if (!connection.sendText(this.frames.encode(sequence))) return;
    connection.recordPing(sequence, now);
    this.counters.pingSent();
  }
}
