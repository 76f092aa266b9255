import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { MonitorConfig } from '../config/monitor-config.js';

/** Admits requests that carry the admin token as `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: MonitorConfig) {
    this.expected = Buffer.from(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new UnauthorizedException('This endpoint needs the admin token: send "Authorization: Bearer <ADMIN_TOKEN>".');
    }
    const given = Buffer.from(match[1]);
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new UnauthorizedException('The admin token is wrong: use the ADMIN_TOKEN the server was started with.');
    }
    return true;
  }
}
