import { HeartbeatService } from '@heartbeat/nest';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';

export interface HealthReport {
  /** `draining`: the server is shutting down (answered with 503, so that load balancers stop sending). */
  status: 'ok' | 'draining';
  uptime_seconds: number;
  connections: number;
  event_bus: 'memory';
}

@Controller('health')
export class HealthController {
  constructor(private readonly heartbeat: HeartbeatService) {}

  @Get()
  health(@Res({ passthrough: true }) response: Response): HealthReport {
    const draining = this.heartbeat.isDraining;
    if (draining) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: draining ? 'draining' : 'ok',
      uptime_seconds: Math.round(process.uptime()),
      connections: this.heartbeat.connectionCount,
      event_bus: 'memory',
    };
  }
}
