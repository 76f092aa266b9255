import { HeartbeatService } from '@heartbeat/nest';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Subscription } from 'rxjs';
import { LeanHistogram } from './lean-histogram.js';

/** Prometheus metrics of the monitor server, in a registry of its own (one per application instance). */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly subscriptions: Subscription[] = [];

  constructor(heartbeat: HeartbeatService) {
    collectDefaultMetrics({ register: this.registry });
    const totals = () => heartbeat.getTotals();
    new Gauge({
      name: 'heartbeat_connections',
      help: 'Open WebSocket connections (authenticated or still in the handshake).',
      registers: [this.registry],
      collect() {
        this.set(heartbeat.connectionCount);
      },
    });
    counterFrom(this.registry, 'heartbeat_pings_sent_total', 'Pings the server sent.', () => totals().total_pings_sent);
    counterFrom(this.registry, 'heartbeat_pongs_received_total', 'Pongs the server received.', () => totals().total_pongs_received);
    counterFrom(this.registry, 'heartbeat_client_pings_total', 'Pings clients sent to the server.', () => totals().total_client_pings);
    counterFrom(this.registry, 'heartbeat_timeouts_total', 'Connections closed as dead by the heartbeat.', () => totals().timeout_disconnections);
    counterFrom(this.registry, 'heartbeat_resumed_sessions_total', 'Handshakes that resumed a kept session.', () => totals().resumed_sessions);
    counterFrom(
      this.registry,
      'heartbeat_session_takeovers_total',
      'Live connections dropped because their session resumed on a newer connection.',
      () => totals().session_takeovers,
    );
    counterFrom(
      this.registry,
      'heartbeat_session_refusals_total',
      'Handshakes that named a session of another user and got a new session instead.',
      () => totals().session_refusals,
    );
    counterFrom(
      this.registry,
      'heartbeat_duplicate_messages_total',
      'Client messages acknowledged again but not delivered again (id already seen in the session).',
      () => totals().duplicate_messages,
    );
    counterFrom(
      this.registry,
      'heartbeat_slow_consumer_disconnections_total',
      'Connections closed with 4009: their send buffer passed the high-water mark.',
      () => totals().slow_consumer_disconnections,
    );
    counterFrom(
      this.registry,
      'heartbeat_rate_limited_disconnections_total',
      'Connections closed with 4429: they sent frames faster than the rate limit.',
      () => totals().rate_limited_disconnections,
    );
    counterFrom(
      this.registry,
      'heartbeat_address_limit_rejections_total',
      'Sockets closed with 1013 at once: their address was over MAX_CONNECTIONS_PER_ADDRESS.',
      () => totals().address_limit_rejections,
    );
    counterFrom(
      this.registry,
      'heartbeat_token_expirations_total',
      'Connections closed with 4001 because their token expired before an auth frame renewed it.',
      () => totals().token_expirations,
    );
    gaugeFrom(this.registry, 'heartbeat_retained_sessions', 'Sessions kept for resume whose connection has closed.', () => totals().retained_sessions);
    gaugeFrom(this.registry, 'heartbeat_draining', '1 while the server drains its connections for shutdown, else 0.', () => Number(heartbeat.isDraining));
    gaugeFrom(this.registry, 'heartbeat_send_buffer_bytes', 'Bytes waiting in the send buffers of all connections.', () => heartbeat.sendBuffers().totalBytes);
    gaugeFrom(
      this.registry,
      'heartbeat_send_buffer_max_bytes',
      'Bytes waiting in the fullest send buffer of one connection.',
      () => heartbeat.sendBuffers().maxBytes,
    );

    const cluster = () => heartbeat.getClusterStatus();
    new Gauge({
      name: 'heartbeat_node_info',
      help: 'Always 1; labels name this node and its event bus (memory or redis).',
      labelNames: ['node_id', 'event_bus'],
      registers: [this.registry],
      collect() {
        const { nodeId, mode } = cluster();
        this.reset();
        this.set({ node_id: nodeId, event_bus: mode }, 1);
      },
    });
    if (cluster().mode === 'redis') {
      gaugeFrom(this.registry, 'heartbeat_redis_up', '1 while this node is connected to Redis, else 0 (it then serves its own clients alone).', () =>
        Number(cluster().redis?.up),
      );
      counterFrom(this.registry, 'heartbeat_redis_outages_total', 'Times this node lost its connection to Redis.', () => cluster().redis?.outages ?? 0);
      gaugeFrom(this.registry, 'heartbeat_redis_pending_publishes', 'Publishes waiting for Redis to take them.', () => cluster().redis?.pendingPublishes ?? 0);
    }

    const rtt = new LeanHistogram(
      'heartbeat_rtt_seconds',
      'Round-trip time of server pings.',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      this.registry,
    );
    this.subscriptions.push(heartbeat.heartbeats$.subscribe((sample) => rtt.observe(sample.rttMs / 1000)));

    const disconnects = new Counter({
      name: 'heartbeat_disconnections_total',
      help: 'Closed connections by close code.',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.subscriptions.push(
      heartbeat.events$.subscribe((event) => {
        if (event.type === 'disconnected') disconnects.inc({ code: String(event.code) });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

/** A gauge whose value is read at scrape time. */
function gaugeFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** A counter whose value is read from a running total at scrape time. */
function counterFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
