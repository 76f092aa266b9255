import type { NestExpressApplication } from '@nestjs/platform-express';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMonitorConfig } from '../config/monitor-config.js';
import { createMonitorApp } from '../create-monitor-app.js';

const ADMIN = 'admin-secret';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('securityHeaders', () => {
  let app: NestExpressApplication;
  let base: string;
  let host: string;
  let dashboardDir: string;

  beforeAll(async () => {
    dashboardDir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>dashboard</title><app-root></app-root>');
    const config = loadMonitorConfig({ PORT: '0', HOST: '127.0.0.1', CLIENT_TOKENS: 'client', ADMIN_TOKEN: ADMIN, ALERT_RATE: '0', LOG_LEVEL: 'error' }, dashboardDir);
    app = await createMonitorApp(config);
    await app.listen(0, '127.0.0.1');
    host = `127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    base = `http://${host}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  it.each([
    ['the dashboard', '/', 200],
    ['a client-side route of the dashboard', '/admin', 200],
    ['the admin API', '/api/heartbeat/stats', 200],
    ['the admin API refusing a request', '/api/heartbeat/stats?no-token', 401],
    ['/health', '/health', 200],
    ['/metrics', '/metrics', 200],
    ['a missing file', '/missing-XYZ.js', 404],
  ])('sets the security headers on %s', async (_name, path, status) => {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (path.startsWith('/api/') && !path.endsWith('no-token')) headers['authorization'] = `Bearer ${ADMIN}`;
    const response = await fetch(`${base}${path}`, { headers });
    expect(response.status).toBe(status);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('allows no inline or evaluated script', async () => {
    const header = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
    expect(directives(header).get('script-src')).not.toContain("'unsafe-inline'");
    expect(directives(header).get('script-src')).not.toContain("'unsafe-eval'");
  });

  it('names no WebSocket origin for a Host header that is not a plain host', async () => {
    const header = await new Promise<string>((resolve, reject) => {
      request(`${base}/health`, { headers: { host: "evil; script-src 'unsafe-inline'" } }, (response) => {
        response.resume();
        resolve(String(response.headers['content-security-policy']));
      })
        .on('error', reject)
        .end();
    });
    expect(directives(header).get('connect-src')).toEqual(["'self'"]);
    expect(directives(header).get('script-src')).toEqual(["'self'"]);
  });
});
