import { type HeartbeatStats, HeartbeatService } from '@heartbeat/nest';
import { CloseCode } from '@heartbeat/protocol';
import { Controller, Delete, Get, HttpCode, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard.js';

/** The admin API: heartbeat statistics and kicking a connection. */
@Controller('api/heartbeat')
@UseGuards(AdminTokenGuard)
export class HeartbeatAdminController {
  constructor(private readonly heartbeat: HeartbeatService) {}

  /** The whole cluster in Redis mode: every node's connections, the totals of the nodes that answered, stale nodes marked. */
  @Get('stats')
  stats(): Promise<HeartbeatStats> {
    return this.heartbeat.getStats();
  }

  /** Closes the connection with 4003 (kicked by an administrator) on whichever node holds it: its client stays disconnected. */
  @Delete('connections/:id')
  @HttpCode(204)
  async disconnect(@Param('id') id: string): Promise<void> {
    if (!(await this.heartbeat.disconnect(id, CloseCode.Kicked))) {
      throw new NotFoundException(`No open connection has the id "${id}"; it may have closed already.`);
    }
  }
}
