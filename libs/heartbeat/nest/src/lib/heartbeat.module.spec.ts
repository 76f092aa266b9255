import { type INestApplication, Injectable, Module } from '@nestjs/common';
import { Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import { type TestApp, listen, startTestApp } from '../testing/test-app.js';
import { sleep, TestClient } from '@heartbeat/testing';
import { HEARTBEAT_OPTIONS, SWEEP_INTERVAL } from './heartbeat.constants.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { HeartbeatModule } from './heartbeat.module.js';
import { HeartbeatService } from './heartbeat.service.js';
import type { ResolvedHeartbeatOptions } from './core/heartbeat-options.interface.js';
import { HeartbeatOptionsError } from './heartbeat-options.validator.js';

/** Stands in for an application's configuration (e.g. read from the environment). */
@Injectable()
class RealtimeConfig {
  readonly pingInterval = 1_234;
  readonly heartbeatTimeout = 4_321;
}

@Module({ providers: [RealtimeConfig], exports: [RealtimeConfig] })
class RealtimeConfigModule {}

/** A consumer of the module's exports in a feature module that does not import HeartbeatModule. */
@Injectable()
class AlertsPublisher {
  constructor(readonly heartbeat: HeartbeatService) {}
}

@Module({ providers: [AlertsPublisher] })
class AlertsModule {}

/** The rejection of `promise`, which must be a HeartbeatOptionsError. */
async function optionsErrorOf(promise: Promise<unknown>): Promise<HeartbeatOptionsError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HeartbeatOptionsError);
  return error as HeartbeatOptionsError;
}

describe('HeartbeatModule', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function open(url: string) {
    const opened = await TestClient.open(url);
    clients.push(opened.client);
    return opened;
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#forRoot', () => {
    it('serves the protocol with the given options', async () => {
      server = await startTestApp({ pingInterval: 1_000, heartbeatTimeout: 5_000, maxMissedPings: 4 });
      const { welcome } = await open(server.url);
      expect(welcome.heartbeat).toEqual({ ping_interval: 1_000, heartbeat_timeout: 5_000, max_missed_pings: 4 });
    });

    it('serves the default heartbeat settings (25000/90000/3) when given no options', async () => {
      server = await startTestApp();
      const { welcome } = await open(server.url);
      expect(welcome.heartbeat).toEqual({ ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 });
    });

    it('exports HeartbeatService to every module (global) and the resolved options', async () => {
      server = await startTestApp({ pingInterval: 2_000 }, { imports: [AlertsModule] });
      expect(server.app.get(AlertsPublisher).heartbeat).toBe(server.service);
      expect(server.app.get<ResolvedHeartbeatOptions>(HEARTBEAT_OPTIONS)).toMatchObject({ pingInterval: 2_000, path: '/ws' });
    });

    it('fails at start-up with a HeartbeatOptionsError naming an invalid option', async () => {
      const error = await optionsErrorOf(
        Test.createTestingModule({ imports: [HeartbeatModule.forRoot({ pingInterval: -5 })] }).compile(),
      );
      expect(error.message).toContain('option "pingInterval"');
    });

    it('fails at start-up when heartbeatTimeout is not above pingInterval', async () => {
      const error = await optionsErrorOf(
        Test.createTestingModule({
          imports: [HeartbeatModule.forRoot({ pingInterval: 10_000, heartbeatTimeout: 10_000 })],
        }).compile(),
      );
      expect(error.message).toBe(HeartbeatMessages.timeoutNotAbovePingInterval(10_000, 10_000));
    });
  });

  describe('#forRootAsync', () => {
    it('builds the options with a factory that injects a provider of an imported module', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          HeartbeatModule.forRootAsync({
            imports: [RealtimeConfigModule],
            useFactory: (config: RealtimeConfig) => ({ pingInterval: config.pingInterval }),
            inject: [RealtimeConfig],
          }),
        ],
      }).compile();
      server = await listen(moduleRef.createNestApplication({ logger: false }));
      const { welcome } = await open(server.url);
      expect(welcome.heartbeat).toEqual({ ping_interval: 1_234, heartbeat_timeout: 90_000, max_missed_pings: 3 });
    });

    it('waits for an async factory', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          HeartbeatModule.forRootAsync({
            imports: [RealtimeConfigModule],
            useFactory: async (config: RealtimeConfig) => {
              await new Promise((resolve) => setTimeout(resolve, 10));
              return { pingInterval: config.pingInterval, heartbeatTimeout: config.heartbeatTimeout, path: '/async' };
            },
            inject: [RealtimeConfig],
          }),
        ],
      }).compile();
      server = await listen(moduleRef.createNestApplication({ logger: false }), '/async');
      const { welcome } = await open(server.url);
      expect(welcome.heartbeat).toMatchObject({ ping_interval: 1_234, heartbeat_timeout: 4_321 });
    });

    it('fails at start-up with a HeartbeatOptionsError naming an invalid option from the factory', async () => {
      const error = await optionsErrorOf(
        Test.createTestingModule({
          imports: [
            HeartbeatModule.forRootAsync({
              imports: [RealtimeConfigModule],
              useFactory: (config: RealtimeConfig) => ({ pingInterval: config.pingInterval, maxMissedPings: 0 }),
              inject: [RealtimeConfig],
            }),
          ],
        }).compile(),
      );
      expect(error.message).toContain('option "maxMissedPings"');
    });

    it('fails at start-up for an invalid option resolved by an async factory', async () => {
      const error = await optionsErrorOf(
        Test.createTestingModule({
          imports: [HeartbeatModule.forRootAsync({ useFactory: async () => ({ path: 'no-slash' }) })],
        }).compile(),
      );
      expect(error.message).toContain('option "path"');
    });
  });

  describe('HeartbeatGateway#onApplicationBootstrap (adapter check)', () => {
    it('fails at app.listen() with adapterMissing() when the app uses the plain WsAdapter', async () => {
      const moduleRef = await Test.createTestingModule({ imports: [HeartbeatModule.forRoot({})] }).compile();
      const app: INestApplication = moduleRef.createNestApplication({ logger: false });
      app.useWebSocketAdapter(new WsAdapter(app));
      try {
        await expect(app.listen(0, '127.0.0.1')).rejects.toThrow(HeartbeatMessages.adapterMissing());
      } finally {
        await app.close();
      }
    });
  });

  describe('#forRoot({ path })', () => {
    it('serves a custom path and not the default one', async () => {
      server = await startTestApp({ path: '/realtime' });
      expect(server.url).toBe(`ws://127.0.0.1:${server.port}/realtime`);
      const { welcome } = await open(server.url);
      expect(welcome.type).toBe('welcome');
      await expect(TestClient.connect(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow();
      expect(server.service.connectionCount).toBe(1);
    });

    it('serves /ws by default and nothing else', async () => {
      server = await startTestApp();
      await expect(TestClient.connect(`ws://127.0.0.1:${server.port}/realtime`)).rejects.toThrow();
      const { welcome } = await open(`ws://127.0.0.1:${server.port}/ws`);
      expect(welcome.type).toBe('welcome');
    });
  });

  describe('with ScheduleModule.forRoot() in the application', () => {
    /** An application job, to see that importing HeartbeatModule does not schedule it twice. */
    @Injectable()
    class Ticker {
      ticks = 0;
      @Interval(50)
      tick(): void {
        this.ticks++;
      }
    }

    it("registers its timers in the application's SchedulerRegistry and leaves the app's jobs single", async () => {
      server = await startTestApp({}, { imports: [ScheduleModule.forRoot()], providers: [Ticker] });
      expect(server.app.get(SchedulerRegistry).getIntervals()).toContain(SWEEP_INTERVAL);
      const ticker = server.app.get(Ticker);
      const before = ticker.ticks;
      await sleep(520);
      // 10 periods of 50 ms: a duplicated job would tick about 20 times.
      expect(ticker.ticks - before).toBeGreaterThanOrEqual(7);
      expect(ticker.ticks - before).toBeLessThanOrEqual(11);
    });

    it('uses a private SchedulerRegistry when the application has none', async () => {
      const started = await startTestApp();
      server = started;
      expect(() => started.app.get(SchedulerRegistry)).toThrow();
      const { welcome } = await open(started.url);
      expect(welcome.heartbeat.ping_interval).toBe(25_000);
    });
  });
});
