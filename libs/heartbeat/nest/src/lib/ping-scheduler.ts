import type { ClientPingFrame } from '@heartbeat/protocol';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { Subscription } from 'rxjs';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS, HEARTBEAT_SCHEDULER, PING_TICK_INTERVAL } from './heartbeat.constants.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatSample } from './heartbeat-events.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import { PingFrameEncoder } from './ping-frame-encoder.js';
import { SampleStream } from './sample-stream.js';

/** Aim for one wheel tick per 50 ms: fine enough to spread pings, coarse enough to stay cheap. */
const TARGET_TICK_MS = 50;
const MAX_SLOTS = 1_000;

/**
 * Sends the server's pings. Connections are placed on a timing wheel of `pingInterval / tick` slots,
 * each in the least-filled slot, and one slot is served per tick: every connection is pinged once per
 * interval, and N connections produce about N / slots pings per tick instead of one burst of N.
 *
 * When a connection's turn comes and the previous ping is still unanswered (no inbound frame since),
 * that ping counts as missed; after `maxMissedPings` misses in a row the peer is declared dead.
 */
@Injectable()
export class PingScheduler implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly slots: Set<HeartbeatConnection>[];
  private readonly tickMs: number;
  private cursor = 0;
  /** When (performance.now()) the next slot is due: the wheel keeps its own schedule. */
  private nextSlotAt = 0;
  private stopped = false;
  private readonly frames = new PingFrameEncoder();
  private readonly removal: Subscription;
  private readonly samples = new SampleStream<HeartbeatSample>();
  /** Every answered ping (RTT and clock offset), for metrics. */
  readonly samples$ = this.samples.observable;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly registry: ConnectionRegistry,
    @Inject(HEARTBEAT_SCHEDULER) private readonly schedulerRegistry: SchedulerRegistry,
    private readonly clock: Clock,
  ) {
    const slotCount = Math.min(MAX_SLOTS, Math.max(1, Math.round(options.pingInterval / TARGET_TICK_MS)));
    this.slots = Array.from({ length: slotCount }, () => new Set<HeartbeatConnection>());
    this.tickMs = options.pingInterval / slotCount;
    this.removal = registry.removed$.subscribe((connection) => this.remove(connection));
  }

  onApplicationBootstrap(): void {
    this.nextSlotAt = performance.now() + this.tickMs;
    this.arm();
  }

  /**
   * Pings stop when the application starts closing (an application's ScheduleModule clears its
   * timers then too). The drain that follows lasts at most drainWindow plus the close grace, and the
   * gateway still answers client pings during it.
   */
  onModuleDestroy(): void {
    this.stopped = true;
    if (this.schedulerRegistry.doesExist('timeout', PING_TICK_INTERVAL)) {
      this.schedulerRegistry.deleteTimeout(PING_TICK_INTERVAL);
    }
  }

  onApplicationShutdown(): void {
    this.removal.unsubscribe();
  }

  /** Starts pinging a connection that completed its handshake. */
  add(connection: HeartbeatConnection): void {
    if (connection.pingSlot !== -1) return;
    let slot = 0;
    for (let i = 1; i < this.slots.length; i++) {
      if (this.slots[i].size < this.slots[slot].size) slot = i;
    }
    connection.pingSlot = slot;
    this.slots[slot].add(connection);
  }

  remove(connection: HeartbeatConnection): void {
    if (connection.pingSlot === -1) return;
    this.slots[connection.pingSlot].delete(connection);
    connection.pingSlot = -1;
  }

  /** Answers a client's own ping at once; `server_time` lets the client estimate its clock offset. */
  answerPing(connection: HeartbeatConnection, frame: ClientPingFrame): void {
    const now = this.clock.now();
    connection.clientPings++;
    this.registry.counters.clientPings++;
    connection.send({
      type: 'pong',
      timestamp: new Date(now).toISOString(),
      server_time: now,
      client_time: frame.client_time,
      sequence: frame.sequence,
      ping_count: connection.clientPings,
    });
  }

  /**
   * Records the client's answer to a server ping. The RTT ends when the frame arrived (the gateway
   * stamped `lastInboundAt` before parsing it), so parsing and queueing on a busy server do not
   * count as network time.
   */
  recordPong(connection: HeartbeatConnection, sequence: number, clientTime: number): void {
    const now = connection.lastInboundAt;
    this.registry.counters.pongsReceived++;
    const rtt = connection.recordPong(sequence, clientTime, now);
    if (rtt !== undefined && this.samples.observed) {
      this.samples.next({ connectionId: connection.id, rttMs: rtt, clockOffsetMs: connection.clockOffsetMs ?? 0, at: now });
    }
  }

  /**
   * One timer per slot, each armed for the slot's time on a fixed schedule. setInterval would re-arm
   * from the moment its callback ran, so every late firing (a fraction of a millisecond, more under
   * load) would stretch each turn of the wheel beyond pingInterval (by 0.5–2 %: seconds at the default
   * settings) and the worst-case detection time with it. A stall longer than a tick (a blocked event
   * loop) is not caught up, which would ping in a burst: the schedule restarts from now.
   */
  private arm(): void {
    if (this.stopped) return;
    const timer = setTimeout(() => this.onTimer(), Math.max(0, this.nextSlotAt - performance.now()));
    if (this.schedulerRegistry.doesExist('timeout', PING_TICK_INTERVAL)) {
      this.schedulerRegistry.deleteTimeout(PING_TICK_INTERVAL);
    }
    this.schedulerRegistry.addTimeout(PING_TICK_INTERVAL, timer);
  }

  private onTimer(): void {
    const now = performance.now();
    this.nextSlotAt = now - this.nextSlotAt > this.tickMs ? now + this.tickMs : this.nextSlotAt + this.tickMs;
    try {
      this.tick();
    } finally {
      this.arm();
    }
  }

  private tick(): void {
    const slot = this.slots[this.cursor];
    this.cursor = (this.cursor + 1) % this.slots.length;
    if (slot.size === 0) return;
    const now = this.clock.now();
    this.frames.begin(new Date(now).toISOString(), now);
    for (const connection of slot) {
      if (connection.lastPingAt !== undefined && connection.lastInboundAt < connection.lastPingAt) {
        connection.missedPings++;
        if (connection.missedPings >= this.options.maxMissedPings) {
          this.remove(connection);
          this.registry.timeOut(connection, 'missed_pings');
          continue;
        }
      }
      this.ping(connection, now);
    }
  }

  private ping(connection: HeartbeatConnection, now: number): void {
    const sequence = connection.pingSequence + 1;
    if (!connection.sendText(this.frames.encode(sequence))) return;
    connection.pingSequence = sequence;
    connection.lastPingAt = now;
    this.registry.counters.pingsSent++;
  }
}
