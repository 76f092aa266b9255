import { TestClient, eventually } from '@heartbeat/testing';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { HeartbeatSocket, connectionOf } from './heartbeat-socket.js';

describe('HeartbeatSocket', () => {
  let server: TestApp;

  beforeEach(async () => {
    server = await startTestApp();
  });

  afterEach(() => server.close());

  describe('#connection', () => {
    it('is the socket class of the Heartbeat server and holds its connection from open until it closed', async () => {
      const { client } = await TestClient.open(server.url);
      const registry = server.app.get(ConnectionRegistry);
      const [connection] = [...registry.values()];
      expect(connection.socket).toBeInstanceOf(HeartbeatSocket);
      expect(connectionOf(connection.socket)).toBe(connection);
      expect(registry.get(connection.socket)).toBe(connection);
      await client.close();
      await eventually(() => connection.state === 'closed', 'the connection to close');
      expect(connection.socket.connection).toBeUndefined();
      expect(registry.get(connection.socket)).toBeUndefined();
    });
  });
});
