import { CloseCode } from '@heartbeat/protocol';
import { Test } from '@nestjs/testing';
import { WebSocket } from 'ws';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, listen } from '../testing/test-app.js';
import { TestClient } from '@heartbeat/testing';
import { Clock } from './clock.js';
import { HeartbeatModule } from './heartbeat.module.js';
import { HeartbeatSweeper } from './core/heartbeat-sweeper.js';

/**
 * The sweep with a clock the test moves by hand, over real sockets. The module's own timers are set far
 * beyond the test's duration (pingInterval 2,000 s: a wheel tick of 2 s; sweeps every 3,000 s), so only
 * the test calls sweep(), and the clients never answer pings, so nothing but their own frames moves
 * their lastInboundAt.
 */
describe('HeartbeatSweeper', () => {
  const HEARTBEAT_TIMEOUT = 3_000_000;
  const START = Date.UTC(2026, 0, 1);
  let fakeNow: number;
  let server: TestApp;
  let sweeper: HeartbeatSweeper;
  let log: EventLog;
  const clients: TestClient[] = [];

  async function openClient(): Promise<{ client: TestClient; connectionId: string }> {
    const { client } = await TestClient.open(server.url, undefined, { autoPong: false });
    clients.push(client);
    // The welcome is sent after the connection was authenticated: its event is the latest one.
    const { connectionId } = log.of('authenticated').at(-1) ?? {};
    if (!connectionId) throw new Error('no authenticated connection after hello');
    return { client, connectionId };
  }

  /** Sends a client ping and waits for its pong: the server has recorded the frame at the current fakeNow. */
  async function ping(client: TestClient, sequence: number): Promise<void> {
    client.send({ type: 'ping', timestamp: new Date(fakeNow).toISOString(), client_time: fakeNow, sequence });
    await client.next('pong', 2_000, (pong) => pong.sequence === sequence);
  }

  function lastSeen(connectionId: string): number | undefined {
    return server.service.getLocalStats().connection_details.find((details) => details.id === connectionId)?.last_seen_time;
  }

  beforeEach(async () => {
    fakeNow = START;
    const moduleRef = await Test.createTestingModule({
      imports: [
        HeartbeatModule.forRoot({
          pingInterval: 2_000_000,
          heartbeatInterval: 3_000_000,
          heartbeatTimeout: HEARTBEAT_TIMEOUT,
          maxMissedPings: 3,
        }),
      ],
    })
      .overrideProvider(Clock)
      .useValue({ now: () => fakeNow })
      .compile();
    server = await listen(moduleRef.createNestApplication({ logger: false }));
    sweeper = server.app.get(HeartbeatSweeper);
    log = new EventLog(server.service.events$);
  });

  afterEach(async () => {
    log.stop();
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  describe('#sweep', () => {
    it('terminates a connection silent for longer than heartbeatTimeout and keeps one that was recently active', async () => {
      const silent = await openClient();
      const active = await openClient();
      expect(lastSeen(silent.connectionId)).toBe(START);

      fakeNow = START + HEARTBEAT_TIMEOUT - 1_000;
      await ping(active.client, 1);
      expect(lastSeen(active.connectionId)).toBe(fakeNow);

      fakeNow = START + HEARTBEAT_TIMEOUT + 1;
      expect(sweeper.sweep()).toBe(1);

      expect(await log.next('timed_out', silent.connectionId)).toMatchObject({
        cause: 'heartbeat_timeout',
        silentForMs: HEARTBEAT_TIMEOUT + 1,
        at: fakeNow,
      });
      expect(await log.next('disconnected', silent.connectionId)).toMatchObject({ code: CloseCode.HeartbeatTimeout });
      // terminate(): no closing handshake with a peer presumed dead.
      expect((await silent.client.closed).code).toBe(1006);

      expect(log.of('timed_out', active.connectionId)).toEqual([]);
      expect(active.client.socket.readyState).toBe(WebSocket.OPEN);
      await ping(active.client, 2);
      const stats = server.service.getLocalStats();
      expect(stats.connection_details.map((details) => details.id)).toEqual([active.connectionId]);
      expect(stats.heartbeat_stats).toMatchObject({ timeout_disconnections: 1, active_connections: 1 });
    });

    it('keeps a connection silent for exactly heartbeatTimeout and terminates it one millisecond later', async () => {
      const { client, connectionId } = await openClient();

      fakeNow = START + HEARTBEAT_TIMEOUT;
      expect(sweeper.sweep()).toBe(0);
      expect(log.of('timed_out')).toEqual([]);
      expect(client.socket.readyState).toBe(WebSocket.OPEN);

      fakeNow += 1;
      expect(sweeper.sweep()).toBe(1);
      expect(await log.next('timed_out', connectionId)).toMatchObject({ cause: 'heartbeat_timeout', silentForMs: HEARTBEAT_TIMEOUT + 1 });
      expect((await client.closed).code).toBe(1006);
    });

    it('counts a dead connection once when a second sweep comes before its socket has closed', async () => {
      const { client, connectionId } = await openClient();

      fakeNow = START + HEARTBEAT_TIMEOUT + 1;
      expect(sweeper.sweep()).toBe(1);
      expect(sweeper.sweep()).toBe(0);

      await log.next('disconnected', connectionId);
      expect(log.of('timed_out')).toHaveLength(1);
      expect(server.service.getLocalStats().heartbeat_stats.timeout_disconnections).toBe(1);
      expect((await client.closed).code).toBe(1006);
    });

    it('leaves a socket that has not completed its hello to the handshake deadline', async () => {
      const client = await TestClient.connect(server.url, { autoPong: false });
      clients.push(client);
      await log.next('connected');

      fakeNow = START + 10 * HEARTBEAT_TIMEOUT;
      expect(sweeper.sweep()).toBe(0);
      expect(log.of('timed_out')).toEqual([]);
      expect(server.service.getLocalStats().connection_details).toMatchObject([{ state: 'handshake' }]);
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('records the time of every pass as lastCleanupAt (last_cleanup_time), with or without connections', async () => {
      expect(server.service.getLocalStats().heartbeat_stats.last_cleanup_time).toBeNull();

      fakeNow = START + 5_000;
      expect(sweeper.sweep()).toBe(0);
      expect(server.service.getLocalStats().heartbeat_stats.last_cleanup_time).toBe(START + 5_000);

      await openClient();
      fakeNow = START + 7_000;
      expect(sweeper.sweep()).toBe(0);
      expect(server.service.getLocalStats().heartbeat_stats).toMatchObject({ last_cleanup_time: START + 7_000, active_connections: 1 });
    });
  });
});
