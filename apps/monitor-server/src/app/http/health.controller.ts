import { HeartbeatService } from '@heartbeat/nest';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';

export interface HealthReport {
  /**
   * `draining`: the server is shutting down (answered with 503, so that load balancers stop sending).
   * `degraded`: Redis mode without Redis — this node keeps its clients and heartbeats, but events
   * from other nodes and its own publishes wait for Redis (answered with 200: the node still serves).
   */
  status: 'ok' | 'degraded' | 'draining';
  uptime_seconds: number;
  connections: number;
  event_bus: 'memory' | 'redis';
  node_id: string;
  /** Redis mode only. */
  redis?: {
    status: 'up' | 'down';
    /** Since when (ISO-8601) Redis has been up, or down. */
    since: string;
    outages: number;
    last_error: string | null;
    pending_publishes: number;
  };
}

@Controller('health')
export class HealthController {
  constructor(private readonly heartbeat: HeartbeatService) {}

  @Get()
  health(@Res({ passthrough: true }) response: Response): HealthReport {
    const draining = this.heartbeat.isDraining;
    if (draining) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    const cluster = this.heartbeat.getClusterStatus();
    const redis = cluster.redis;
    const report: HealthReport = {
      status: draining ? 'draining' : redis && !redis.up ? 'degraded' : 'ok',
      uptime_seconds: Math.round(process.uptime()),
      connections: this.heartbeat.connectionCount,
      event_bus: cluster.mode,
      node_id: cluster.nodeId,
    };
    if (redis) {
      report.redis = {
        status: redis.up ? 'up' : 'down',
        since: new Date(redis.since).toISOString(),
        outages: redis.outages,
        last_error: redis.lastError ?? null,
        pending_publishes: redis.pendingPublishes,
      };
    }
    return report;
  }
}
