import { eventually, TestClient } from '@heartbeat/testing';
import type { Subscription } from 'rxjs';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import type { HeartbeatClientMessage } from './core/heartbeat-events.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

describe('MessageInbox', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];
  let delivered: HeartbeatClientMessage[];
  let subscription: Subscription;

  async function start(options: HeartbeatModuleOptions = {}): Promise<void> {
    server = await startTestApp({ pingInterval: 5_000, heartbeatTimeout: 20_000, ...options });
    delivered = [];
    subscription = server.service.messages$.subscribe((message) => delivered.push(message));
  }

  async function open(sessionId?: string): Promise<{ client: TestClient; sessionId: string; resumed: boolean }> {
    const client = await TestClient.connect(server!.url);
    clients.push(client);
    const welcome = await client.hello(undefined, sessionId === undefined ? {} : { session_id: sessionId });
    return { client, sessionId: welcome.session_id, resumed: welcome.resumed };
  }

  /** Sends a message and waits for its ack (the n-th ack with that id when it was sent before). */
  async function send(client: TestClient, id: string, data: unknown = id): Promise<void> {
    client.send({ type: 'message', id, data });
    await client.next('ack', 2_000, (ack) => ack.id === id);
  }

  async function reconnect(client: TestClient): Promise<void> {
    await client.close();
    await eventually(() => server!.service.connectionCount === 0, 'the server to see the close');
  }

  afterEach(async () => {
    subscription.unsubscribe();
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#receive', () => {
    it('acknowledges a repeated id again but delivers it once, and counts the duplicate', async () => {
      await start();
      const { client } = await open();
      await send(client, 'm-1', { first: true });
      await send(client, 'm-1', { first: false });
      await send(client, 'm-2');
      expect(delivered.map((message) => [message.id, message.data])).toEqual([
        ['m-1', { first: true }],
        ['m-2', 'm-2'],
      ]);
      expect(server!.service.getTotals().duplicate_messages).toBe(1);
    });

    it('drops a message resent on a new connection of the resumed session (its ack was lost)', async () => {
      await start();
      const first = await open();
      await send(first.client, 'm-1');
      await reconnect(first.client);

      const second = await open(first.sessionId);
      expect(second.resumed).toBe(true);
      await send(second.client, 'm-1');
      await send(second.client, 'm-2');
      expect(delivered.map((message) => [message.id, message.sessionId])).toEqual([
        ['m-1', first.sessionId],
        ['m-2', first.sessionId],
      ]);
      expect(server!.service.getTotals().duplicate_messages).toBe(1);
    });

    it('delivers the same id again in another session: ids are unique per session only', async () => {
      await start();
      const one = await open();
      const other = await open();
      await send(one.client, 'm-1');
      await send(other.client, 'm-1');
      expect(delivered.map((message) => message.sessionId)).toEqual([one.sessionId, other.sessionId]);
      expect(server!.service.getTotals().duplicate_messages).toBe(0);
    });

    it('delivers again once the session expired and the hello started a new one', async () => {
      await start({ sessionTtl: 1 });
      const first = await open();
      await send(first.client, 'm-1');
      await reconnect(first.client);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const second = await open(first.sessionId);
      expect(second.resumed).toBe(false);
      await send(second.client, 'm-1');
      expect(delivered).toHaveLength(2);
    });

    it('remembers the last messageDedupeWindow ids: an older one is delivered again', async () => {
      await start({ messageDedupeWindow: 2 });
      const { client } = await open();
      for (const id of ['a', 'b', 'c']) await send(client, id);
      await send(client, 'c'); // still in the window
      await send(client, 'a'); // forgotten
      expect(delivered.map((message) => message.id)).toEqual(['a', 'b', 'c', 'a']);
      expect(server!.service.getTotals().duplicate_messages).toBe(1);
    });

    it('delivers every message with messageDedupeWindow 0', async () => {
      await start({ messageDedupeWindow: 0 });
      const { client } = await open();
      await send(client, 'a');
      await send(client, 'a');
      expect(delivered.map((message) => message.id)).toEqual(['a', 'a']);
    });
  });
});
