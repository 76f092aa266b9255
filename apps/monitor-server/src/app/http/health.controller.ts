import { HeartbeatService } from '@heartbeat/nest';
import { Controller, Get } from '@nestjs/common';

export interface HealthReport {
  status: 'ok';
  uptime_seconds: number;
  connections: number;
  event_bus: 'memory';
}

@Controller('health')
export class HealthController {
  constructor(private readonly heartbeat: HeartbeatService) {}

  @Get()
  health(): HealthReport {
    return {
      status: 'ok',
      uptime_seconds: Math.round(process.uptime()),
      connections: this.heartbeat.connectionCount,
      event_bus: 'memory',
    };
  }
}
