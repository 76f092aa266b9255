import { Controller, Get, Header, Req } from '@nestjs/common';
import type { Request } from 'express';
import { MonitorConfig } from '../config/monitor-config.js';
import { isLocalRequest } from './loopback-request.js';

/** What the dashboard needs to connect; the tokens only in demo mode, to a browser on this machine. */
export interface DashboardConfig {
  /** The WebSocket path (WS_PATH). */
  wsPath: string;
  /** The client token, when CLIENT_TOKENS was unset (generated at start) and the request is local. */
  clientToken?: string;
  /** The admin token, when ADMIN_TOKEN was unset (generated at start) and the request is local. */
  adminToken?: string;
}

/**
 * `GET /api/dashboard/config`. `npm start` with no tokens configured generates them; so that opening
 * http://localhost:3000 just works, the generated ones are handed to browsers on this machine.
 * Configured tokens are never revealed: the dashboard then takes them from `?token=&adminToken=`
 * or its sign-in form.
 */
@Controller('api/dashboard')
export class DashboardConfigController {
  constructor(private readonly config: MonitorConfig) {}

  @Get('config')
  @Header('Cache-Control', 'no-store')
  dashboardConfig(@Req() request: Request): DashboardConfig {
    const answer: DashboardConfig = { wsPath: this.config.wsPath };
    if (!isLocalRequest(request)) return answer;
    if (this.config.generated.includes('CLIENT_TOKENS')) answer.clientToken = this.config.clientTokens[0].token;
    if (this.config.generated.includes('ADMIN_TOKEN')) answer.adminToken = this.config.adminToken;
    return answer;
  }
}
