import { CloseCode } from '@heartbeat/protocol';
import { sleep, TestClient } from '@heartbeat/testing';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { TokenVerdict } from './core/heartbeat-options.interface.js';
import { expiryCheckDelay } from './core/token-expiry.js';

describe('TokenExpiry', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];
  /** What verifyToken answers next, per token. */
  let verdicts: Map<string, () => TokenVerdict>;

  async function start(): Promise<TestApp> {
    verdicts = new Map();
    server = await startTestApp({
      pingInterval: 5_000,
      heartbeatTimeout: 20_000,
      verifyToken: (token) => verdicts.get(token ?? '')?.() ?? false,
    });
    return server;
  }

  async function open(token: string): Promise<{ client: TestClient; tokenExpiresAt: number | undefined }> {
    const client = await TestClient.connect(server!.url);
    clients.push(client);
    const welcome = await client.hello(token);
    return { client, tokenExpiresAt: welcome.token_expires_at };
  }

  async function expectServed(client: TestClient, sequence: number): Promise<void> {
    client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence });
    expect(await client.next('pong', 2_000, (pong) => pong.sequence === sequence)).toMatchObject({ sequence });
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#schedule', () => {
    it('puts the expiry in welcome.token_expires_at and closes with 4001 when it comes, not before', async () => {
      const { service } = await start();
      const log = new EventLog(service.events$);
      const expiresAt = Date.now() + 300;
      verdicts.set('short', () => ({ expiresAt }));
      const { client, tokenExpiresAt } = await open('short');
      expect(tokenExpiresAt).toBe(expiresAt);
      expect(service.getLocalStats().connection_details[0].token_expires_at).toBe(expiresAt);

      const closed = await client.closed;
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
      expect(closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeTokenExpired() });
      expect(service.getTotals().token_expirations).toBe(1);
      expect(log.of('token_expired')).toHaveLength(1);
      log.stop();
    });

    it('moves the deadline when an auth frame brings an accepted token, answered with authenticated', async () => {
      const { service } = await start();
      const firstExpiry = Date.now() + 300;
      verdicts.set('first', () => ({ expiresAt: firstExpiry }));
      const { client } = await open('first');
      const renewedExpiry = Date.now() + 1_200;
      verdicts.set('renewed', () => ({ expiresAt: renewedExpiry }));
      client.send({ type: 'auth', token: 'renewed' });
      expect(await client.next('authenticated')).toEqual({ type: 'authenticated', token_expires_at: renewedExpiry });
      expect(service.getLocalStats().connection_details[0].token_expires_at).toBe(renewedExpiry);

      await sleep(Math.max(0, firstExpiry - Date.now()) + 200);
      await expectServed(client, 1); // past the first deadline, still open

      expect((await client.closed).code).toBe(CloseCode.Unauthorized);
      expect(Date.now()).toBeGreaterThanOrEqual(renewedExpiry);
      expect(service.getTotals().token_expirations).toBe(1);
    });

    it('removes the deadline when an auth token does not expire (verifyToken resolved true)', async () => {
      const { service } = await start();
      verdicts.set('short', () => ({ expiresAt: Date.now() + 200 }));
      verdicts.set('forever', () => true);
      const { client } = await open('short');
      client.send({ type: 'auth', token: 'forever' });
      expect(await client.next('authenticated')).toEqual({ type: 'authenticated' });
      await sleep(400);
      await expectServed(client, 1);
      expect(service.getLocalStats().connection_details[0].token_expires_at).toBeNull();
      expect(service.getTotals().token_expirations).toBe(0);
    });

    it('leaves welcome without token_expires_at and never closes the connection for a token that does not expire', async () => {
      const { service } = await start();
      verdicts.set('forever', () => true);
      const { client, tokenExpiresAt } = await open('forever');
      expect(tokenExpiresAt).toBeUndefined();
      expect(service.getLocalStats().connection_details[0].token_expires_at).toBeNull();
      await expectServed(client, 1);
    });

    it('refuses with 4001 a token whose expiry has already passed, without a welcome', async () => {
      await start();
      verdicts.set('stale', () => ({ expiresAt: Date.now() - 1 }));
      const client = await TestClient.connect(server!.url);
      clients.push(client);
      client.send({ type: 'hello', token: 'stale' });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
      expect(client.frames).toEqual([]);
    });

    it('closes with 4001 when verifyToken resolves neither a boolean nor { expiresAt }', async () => {
      await start();
      verdicts.set('odd', () => ({ expires: 'tomorrow' }) as unknown as TokenVerdict);
      const client = await TestClient.connect(server!.url);
      clients.push(client);
      client.send({ type: 'hello', token: 'odd' });
      expect((await client.closed).code).toBe(CloseCode.Unauthorized);
    });

    it('closes with 4001 when an auth token is refused, even before the deadline', async () => {
      await start();
      verdicts.set('short', () => ({ expiresAt: Date.now() + 5_000 }));
      const { client } = await open('short');
      client.send({ type: 'auth', token: 'revoked' });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
      expect(client.all('authenticated')).toEqual([]);
    });
  });
});

describe('expiryCheckDelay', () => {
  it('waits until the deadline', () => {
    expect(expiryCheckDelay(1_500, 1_000)).toBe(500);
  });

  it('does not wait for a deadline that has passed', () => {
    expect(expiryCheckDelay(900, 1_000)).toBe(0);
  });

  it('waits at most as long as a Node timer can (2^31 - 1 ms), to look again then', () => {
    expect(expiryCheckDelay(1_000 + 90 * 24 * 3_600_000, 1_000)).toBe(2 ** 31 - 1);
  });
});
