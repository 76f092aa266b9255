import { TestClient, eventually } from '@heartbeat/testing';
import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageBody, type OnGatewayDisconnect, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { once } from 'node:events';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { type TestApp, listen, startTestApp } from '../testing/test-app.js';
import { Clock } from './clock.js';
import { HeartbeatGateway } from './heartbeat.gateway.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { HeartbeatModule } from './heartbeat.module.js';
import { REFUSED_UPGRADE_LOG_INTERVAL_MS } from './core/heartbeat-defaults.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

/** An ordinary Nest gateway of the same application, on its own path. */
@WebSocketGateway({ path: '/echo' })
class EchoGateway implements OnGatewayDisconnect {
  readonly disconnected: WebSocket[] = [];

  handleDisconnect(client: WebSocket): void {
    this.disconnected.push(client);
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echoed', data };
  }
}

/** Keeps what the application logs, to read the lines a test caused. */
class CapturedLogger implements LoggerService {
  readonly lines: { level: string; message: string; context: unknown }[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.keep('log', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }

  /** The warnings logged under the Heartbeat context. */
  warnings(): string[] {
    return this.lines.filter((line) => line.level === 'warn' && line.context === 'Heartbeat').map((line) => line.message);
  }

  private keep(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push({ level, message: String(message), context: rest.at(-1) });
  }
}

/** The wall clock, moved forward on demand: the rate limit of the refusal log is tested without waiting. */
class MovableClock extends Clock {
  offset = 0;

  override now(): number {
    return Date.now() + this.offset;
  }
}

/** The status and body an HTTP server answers a WebSocket upgrade to `path` with. */
function upgradeAnswer(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const upgrade = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    upgrade.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    upgrade.on('upgrade', (_response, socket: Socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    upgrade.on('error', reject);
    upgrade.end();
  });
}

describe('HeartbeatWsAdapter', () => {
  let server: TestApp;

  beforeEach(async () => {
    server = await startTestApp({}, { providers: [EchoGateway] });
  });

  afterEach(() => server.close());

  describe('#bindMessageHandlers', () => {
    it('serves other gateways of the application as WsAdapter does, next to Heartbeat', async () => {
      const echo = new WebSocket(`ws://127.0.0.1:${server.port}/echo`);
      await once(echo, 'open');
      echo.send(JSON.stringify({ event: 'echo', data: { n: 1 } }));
      const [reply] = await once(echo, 'message');
      expect(JSON.parse(String(reply))).toEqual({ event: 'echoed', data: { n: 1 } });
      echo.close();

      const { client, welcome } = await TestClient.open(server.url);
      expect(welcome.session_id).toEqual(expect.any(String));
      await client.close();
    });
  });

  describe('#bindClientDisconnect', () => {
    it("still tells other gateways' handleDisconnect that their client left", async () => {
      const echo = new WebSocket(`ws://127.0.0.1:${server.port}/echo`);
      await once(echo, 'open');
      const gateway = server.app.get(EchoGateway);
      echo.close();
      await eventually(() => gateway.disconnected.length === 1, "EchoGateway's handleDisconnect");
      expect(gateway.disconnected).toHaveLength(1);
    });
  });

  describe('#create', () => {
    it("builds the Heartbeat server with the application's ws (not @nestjs/platform-ws' own copy), on the application's port", async () => {
      expect(server.app.get(HeartbeatGateway).server).toBeInstanceOf(WebSocketServer);
      const { client, welcome } = await TestClient.open(server.url);
      expect(welcome.type).toBe('welcome');
      await client.close();
    });
  });
  describe('refused upgrades', () => {
    let app: TestApp;
    let logger: CapturedLogger;
    let clock: MovableClock;

    async function start(options: HeartbeatModuleOptions = {}): Promise<void> {
      await server.close();
      logger = new CapturedLogger();
      clock = new MovableClock();
      const moduleRef = await Test.createTestingModule({ imports: [HeartbeatModule.forRoot(options)], providers: [EchoGateway] })
        .overrideProvider(Clock)
        .useValue(clock)
        .compile();
      app = await listen(moduleRef.createNestApplication({ logger }));
      server = app;
    }

    it("answers an upgrade to a path no gateway serves with HTTP 404 (WsAdapter's would get no answer) and logs it", async () => {
      await start();

      await expect(upgradeAnswer(app.port, '/socket')).resolves.toEqual({ status: 404, body: HeartbeatMessages.upgradeNotFound() });
      expect(logger.warnings()).toEqual([HeartbeatMessages.logUnknownPath('/socket', '127.0.0.1', ['/echo', '/ws'], 0, REFUSED_UPGRADE_LOG_INTERVAL_MS)]);
      expect(logger.warnings()[0]).toBe(
        'refused a WebSocket upgrade to "/socket" from 127.0.0.1 with HTTP 404: no WebSocket endpoint has that path (this server\'s: "/echo", "/ws"). Check the client\'s url.',
      );
    });

    it('cuts a long path short in the log line', async () => {
      await start();
      const path = `/${'x'.repeat(300)}`;
      await upgradeAnswer(app.port, path);

      expect(logger.warnings()[0]).toContain(`"${path.slice(0, 200)}…" from 127.0.0.1`);
    });

    it('is what a ws client sees as "Unexpected server response: 404"', async () => {
      await start();
      const socket = new WebSocket(`ws://127.0.0.1:${app.port}/socket`);
      const [error] = (await once(socket, 'error')) as [Error];

      expect(error.message).toBe('Unexpected server response: 404');
    });

    it('still hands upgrades to the paths it serves to their gateways, query strings included', async () => {
      await start();
      const { client, welcome } = await TestClient.open(`${app.url}?v=1`);
      expect(welcome.type).toBe('welcome');
      await client.close();
      const echo = new WebSocket(`ws://127.0.0.1:${app.port}/echo`);
      await once(echo, 'open');
      echo.close();

      expect(logger.warnings()).toEqual([]);
    });

    it('matches the path as a URL reads it: dot segments and backslashes resolved, escapes and a trailing slash kept', async () => {
      await start();
      for (const path of ['/ws', '/ws?v=1#x', '/echo/../ws', '/./ws', '/a/b\\..\\..\\ws']) {
        await expect(upgradeAnswer(app.port, path)).resolves.toEqual({ status: 101, body: '' });
      }
      for (const path of ['/ws/', '/%77s', '//ws']) {
        await expect(upgradeAnswer(app.port, path)).resolves.toMatchObject({ status: 404 });
      }

      expect(logger.warnings()).toEqual([HeartbeatMessages.logUnknownPath('/ws/', '127.0.0.1', ['/echo', '/ws'], 0, REFUSED_UPGRADE_LOG_INTERVAL_MS)]);
    });

    it('logs a refused origin, and a request without Origin as a non-browser client', async () => {
      await start({ allowedOrigins: ['https://app.example.com'] });

      await expect(upgradeAnswer(app.port, '/ws', { Origin: 'http://localhost:4200' })).resolves.toMatchObject({ status: 403 });
      clock.offset += REFUSED_UPGRADE_LOG_INTERVAL_MS;
      await expect(upgradeAnswer(app.port, '/ws')).resolves.toMatchObject({ status: 403 });

      expect(logger.warnings()).toEqual([
        HeartbeatMessages.logOriginRefused('http://localhost:4200', '127.0.0.1', 0, REFUSED_UPGRADE_LOG_INTERVAL_MS),
        HeartbeatMessages.logOriginRefused(undefined, '127.0.0.1', 0, REFUSED_UPGRADE_LOG_INTERVAL_MS),
      ]);
      expect(logger.warnings()[0]).toContain('its Origin "http://localhost:4200" is not in allowedOrigins');
      expect(logger.warnings()[1]).toContain('it sent no Origin header (a non-browser client, such as Node)');
    });

    it('logs at most one line per cause per interval, then says how many it left out', async () => {
      await start({ allowedOrigins: ['https://app.example.com'] });
      for (let i = 0; i < 3; i++) {
        await upgradeAnswer(app.port, '/ws', { Origin: 'http://evil.test' });
        await upgradeAnswer(app.port, '/wss');
      }
      expect(logger.warnings()).toHaveLength(2);

      clock.offset += REFUSED_UPGRADE_LOG_INTERVAL_MS;
      await upgradeAnswer(app.port, '/ws', { Origin: 'http://evil.test' });
      await upgradeAnswer(app.port, '/wss');

      expect(logger.warnings().slice(2)).toEqual([
        HeartbeatMessages.logOriginRefused('http://evil.test', '127.0.0.1', 2, REFUSED_UPGRADE_LOG_INTERVAL_MS),
        HeartbeatMessages.logUnknownPath('/wss', '127.0.0.1', ['/echo', '/ws'], 2, REFUSED_UPGRADE_LOG_INTERVAL_MS),
      ]);
      expect(logger.warnings()[2]).toMatch(/ \(2 more since the last such line, within 10 s, were not logged\)$/);
    });
  });
});
