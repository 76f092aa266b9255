import { TestClient } from '@heartbeat/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { type TestApp, startTestApp } from '../testing/test-app.js';

/** An ordinary Nest gateway of the same application, on its own path. */
@WebSocketGateway({ path: '/echo' })
class EchoGateway {
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
});
