import { Controller, Get, Header } from '@nestjs/common';
import { MonitorConfig } from '../config/monitor-config.js';

/**
 * `/` when the dashboard has not been built: says where everything is. When it has been built,
 * its files are served as static assets in front of this route (see createMonitorApp).
 */
@Controller()
export class DashboardController {
  constructor(private readonly config: MonitorConfig) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): string {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Heartbeat monitor server</title></head>
<body>
<h1>Heartbeat monitor server</h1>
<p>The admin dashboard is not built. Run <code>npm start</code> from the repository root to build and serve it.</p>
<ul>
<li>WebSocket endpoint: <code>${this.config.wsPath}</code></li>
<li><a href="/health">/health</a></li>
<li><a href="/metrics">/metrics</a> (Prometheus)</li>
<li><code>GET /api/heartbeat/stats</code> with <code>Authorization: Bearer &lt;ADMIN_TOKEN&gt;</code></li>
<li><code>GET /api/dashboard/config</code>: what the dashboard needs to connect</li>
</ul>
</body></html>`;
  }
}
