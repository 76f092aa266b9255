import { CloseCode, formatRetryHint } from '@heartbeat/protocol';
import { eventually, TestClient, type TestClientOptions } from '@heartbeat/testing';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { AddressConnectionLimiter } from './core/address-connection-limiter.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { ADDRESS_LIMIT_RETRY_AFTER_MS } from './core/heartbeat-defaults.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

describe('AddressConnectionLimiter', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions): Promise<TestApp> {
    server = await startTestApp({ pingInterval: 5_000, heartbeatTimeout: 20_000, ...options });
    return server;
  }

  async function connect(options: TestClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(server!.url, options);
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#admit', () => {
    it('closes the socket beyond maxConnectionsPerAddress with 1013 and a retry hint, counting sockets still in the handshake', async () => {
      const { service } = await start({ maxConnectionsPerAddress: 2 });
      const log = new EventLog(service.events$);
      const [first, second] = [await connect(), await connect()]; // no hello yet
      const third = await connect();
      expect(await third.closed).toEqual({
        code: CloseCode.TryAgainLater,
        reason: formatRetryHint(HeartbeatMessages.closeAddressLimit(2), ADDRESS_LIMIT_RETRY_AFTER_MS),
      });
      expect(third.frames).toEqual([]);
      expect(service.getTotals().address_limit_rejections).toBe(1);
      expect(log.of('address_limited')).toEqual([expect.objectContaining({ limit: 2 })]);
      expect(await first.hello()).toMatchObject({ type: 'welcome' });
      expect(await second.hello()).toMatchObject({ type: 'welcome' });
      log.stop();
    });

    it('admits a new socket from the address once one of its connections closed', async () => {
      const { service } = await start({ maxConnectionsPerAddress: 1 });
      const first = await connect();
      await first.close();
      await eventually(() => service.connectionCount === 0, 'the close to be seen');
      expect(server!.app.get(AddressConnectionLimiter).countOf('127.0.0.1')).toBe(0);
      const next = await connect();
      expect(await next.hello()).toMatchObject({ type: 'welcome' });
    });

    it('counts each address on its own', async () => {
      await start({ maxConnectionsPerAddress: 1 });
      const local = await connect({ localAddress: '127.0.0.1' });
      const other = await connect({ localAddress: '127.0.0.2' });
      const extra = await connect({ localAddress: '127.0.0.1' });
      expect((await extra.closed).code).toBe(CloseCode.TryAgainLater);
      expect(await local.hello()).toMatchObject({ type: 'welcome' });
      expect(await other.hello()).toMatchObject({ type: 'welcome' });
      expect(server!.app.get(AddressConnectionLimiter).countOf('127.0.0.2')).toBe(1);
    });

    it('allows any number of connections per address by default', async () => {
      const { service } = await start({});
      await Promise.all(Array.from({ length: 30 }, () => connect()));
      await eventually(() => service.connectionCount === 30, '30 connections');
      expect(service.getTotals().address_limit_rejections).toBe(0);
    });
  });
});
