import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { ADMIN_TOKEN } from '../lib/server.js';
import { ANONYMOUS_TOKEN, inWorld, USERS } from '../lib/trespass.js';

/** The admin API (docs/server.md): each route, as the attacker would call it. */
const ROUTES: readonly { method: string; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/api/heartbeat/stats' },
  { method: 'POST', path: '/api/heartbeat/topics/alerts/events', body: { forged: true } },
  { method: 'POST', path: '/api/heartbeat/topics/user.alice/events', body: { forged: true } },
  { method: 'GET', path: '/api/heartbeat/topics/alerts/presence' },
  { method: 'DELETE', path: '/api/heartbeat/connections/no-such-connection' },
];

/** Credentials tried on every route; only the admin token may pass. */
const CREDENTIALS: readonly { name: string; header: string | undefined }[] = [
  { name: 'none', header: undefined },
  { name: 'empty bearer', header: 'Bearer ' },
  { name: 'alice’s client token', header: `Bearer ${USERS.alice}` },
  { name: 'the anonymous client token', header: `Bearer ${ANONYMOUS_TOKEN}` },
  { name: 'the admin token in upper case', header: `Bearer ${ADMIN_TOKEN.toUpperCase()}` },
  { name: 'the admin token without Bearer', header: ADMIN_TOKEN },
  { name: 'the admin token as Basic', header: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
];

/** Headers a security review asks of every response (set with helmet; docs/server.md#security-headers). */
const REQUIRED_HEADERS: readonly [string, (value: string | null) => boolean][] = [
  ['content-security-policy', (value) => value !== null && /frame-ancestors 'none'/.test(value) && /script-src 'self'/.test(value) && !/script-src[^;]*'unsafe-inline'/.test(value)],
  ['x-content-type-options', (value) => value === 'nosniff'],
  ['referrer-policy', (value) => value === 'no-referrer'],
];

/**
 * Security 3: the admin API with no token, a client's token and near misses of the admin token:
 * every call is refused with 401 and changes nothing; the admin token passes. Every response,
 * the dashboard's included, carries the security headers.
 */
export async function adminEndpoints(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'admin-endpoints',
    'S3. The admin API without the admin token',
    'every admin route refuses every credential but the admin token with 401 and does nothing; every response carries the security headers.',
  );
  s.setup = `monitor server; ${ROUTES.length} admin routes × ${CREDENTIALS.length} credentials, then the admin token; alice subscribed to user.alice watches for a forged event.`;
  return inWorld(s, async (world) => {
    const alice = await world.subscribed('alice', 'user.alice');

    const rows: string[][] = [];
    const passed: string[] = [];
    for (const route of ROUTES) {
      const statuses: string[] = [];
      for (const credential of CREDENTIALS) {
        const response = await fetch(`${world.server.url}${route.path}`, {
          method: route.method,
          headers: { ...(credential.header === undefined ? {} : { authorization: credential.header }), ...(route.body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
        });
        await response.arrayBuffer();
        statuses.push(String(response.status));
        if (response.status !== 401) passed.push(`${route.method} ${route.path} with ${credential.name}: ${response.status}`);
      }
      const admin = await world.http(route.method, route.path, ADMIN_TOKEN, route.body);
      rows.push([`${route.method} ${route.path}`, statuses.join(' '), String(admin.status)]);
    }
    s.table({ title: `Status per route: ${CREDENTIALS.map((c) => c.name).join(' / ')}, then the admin token`, header: ['route', 'without the admin token', 'admin'], rows });

    const forgedSeen = alice.received.filter((frame) => frame.type === 'event' && (frame.data as { forged?: boolean } | null)?.forged === true).length;
    s.check('every call without the admin token refused with 401', passed.length === 0, passed.length === 0 ? `${ROUTES.length * CREDENTIALS.length} calls, all 401` : passed.slice(0, 4).join('; '));
    s.check('forged calls published nothing', forgedSeen === 1, `alice saw ${forgedSeen} forged event(s): only the admin’s publish on user.alice`);
    s.check('the admin token passes', rows.every((row) => Number(row[2]) < 300 || (row[0].startsWith('DELETE') && row[2] === '404')), rows.map((row) => `${row[0]}: ${row[2]}`).join(', '));

    const headerRows: string[][] = [];
    const missing: string[] = [];
    for (const path of ['/', '/health', '/api/heartbeat/stats', '/api/dashboard/config']) {
      const response = await fetch(`${world.server.url}${path}`, { headers: { accept: 'text/html' } });
      await response.arrayBuffer();
      for (const [name, ok] of REQUIRED_HEADERS) {
        const value = response.headers.get(name);
        if (!ok(value)) missing.push(`${path}: ${name} = ${value ?? '(absent)'}`);
      }
      headerRows.push([path, String(response.status), ...REQUIRED_HEADERS.map(([name]) => response.headers.get(name) ?? '(absent)')]);
    }
    s.table({ title: 'Security headers', header: ['path', 'status', ...REQUIRED_HEADERS.map(([name]) => name)], rows: headerRows });
    s.check('every response carries the security headers', missing.length === 0, missing.length === 0 ? 'CSP without inline script and with frame-ancestors none, nosniff, no-referrer' : missing.slice(0, 4).join('; '));
    s.data.figures = { rows, headerRows };
  });
}
