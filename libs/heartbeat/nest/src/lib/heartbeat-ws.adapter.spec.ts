import { TestClient, eventually } from '@heartbeat/testing';
import { MessageBody, type OnGatewayDisconnect, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatGateway } from './heartbeat.gateway.js';

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
});
