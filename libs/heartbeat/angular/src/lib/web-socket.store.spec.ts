import { ChangeDetectionStrategy, Component, EnvironmentInjector, NgZone, createEnvironmentInjector, effect, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { HeartbeatRequestError, HeartbeatTopicError, type HeartbeatClientOptions, type HeartbeatClientState, type PresenceMember, type TopicEvent } from '@heartbeat/client';
import { initialClientState } from '@heartbeat/client/testing';
import { FakeHeartbeatClient } from '../testing/fake-heartbeat.client.js';
import { provideHeartbeatTesting } from '../testing/heartbeat-testing.providers.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { provideHeartbeat, withClientFactory } from './heartbeat.providers.js';
import { WebSocketStore } from './web-socket.store.js';

/** Every field of HeartbeatClientState with a value different from the initial state's. */
const CHANGED_STATE: HeartbeatClientState = {
  status: 'error',
  phase: 'suspended',
  isReconnecting: true,
  reconnectAttempts: 5,
  maxReconnectAttempts: 8,
  nextReconnectAt: 1_700_000_060_000,
  reconnectCount: 3,
  autoReconnect: false,
  connectedAt: 1_700_000_000_000,
  sessionId: 'session-1',
  userId: 'alice',
  sessionResumed: true,
  pendingMessages: 2,
  tokenExpiresAt: 1_700_000_900_000,
  pingCount: 12,
  pongCount: 11,
  missedPongs: 1,
  serverPingCount: 14,
  lastPingAt: 1_700_000_030_000,
  lastPongAt: 1_700_000_030_040,
  rttMs: 40,
  rttSmoothedMs: 35,
  clockOffsetMs: -120,
  lastError: 'Connection closed with 1006 (abnormal closure).',
  lastErrorKind: 'closed',
  lastCloseCode: 1006,
  lastCloseReason: 'gone',
  online: false,
};

/**
 * Stands in for Angular's zone: records whether code runs inside `runOutsideAngular` or `run`,
 * which is all the store decides about zones. (The tests themselves run zoneless.)
 */
function recordZones(zone: NgZone) {
  const record = { outside: 0, inside: 0 };
  jest.spyOn(zone, 'runOutsideAngular').mockImplementation(<T>(fn: () => T): T => {
    record.outside += 1;
    try {
      return fn();
    } finally {
      record.outside -= 1;
    }
  });
  jest.spyOn(zone, 'run').mockImplementation(<T>(fn: (...args: unknown[]) => T): T => {
    const outside = record.outside;
    record.outside = 0;
    record.inside += 1;
    try {
      return fn();
    } finally {
      record.inside -= 1;
      record.outside = outside;
    }
  });
  return record;
}

describe('WebSocketStore', () => {
  let client: FakeHeartbeatClient;
  let store: WebSocketStore;

  function setUp(initial: Partial<HeartbeatClientState> = {}): void {
    client = new FakeHeartbeatClient(undefined, initial);
    TestBed.configureTestingModule({ providers: [provideHeartbeatTesting(client)] });
    store = TestBed.inject(WebSocketStore);
  }

  describe('#constructor', () => {
    it('explains what to add when provideHeartbeat() is missing', () => {
      expect(() => TestBed.inject(WebSocketStore)).toThrow(HeartbeatMessages.storeNotProvided());
    });

    it('creates the client outside Angular’s zone, with the resolved options', () => {
      const zones = recordZones(TestBed.inject(NgZone));
      const factory = jest.fn((options: HeartbeatClientOptions) => {
        client = new FakeHeartbeatClient(options);
        return zones.outside > 0 ? client : new FakeHeartbeatClient(undefined, { lastError: 'created inside the zone' });
      });
      const injector = createEnvironmentInjector(
        [provideHeartbeat({ url: '/live' }, withClientFactory(factory))],
        TestBed.inject(EnvironmentInjector),
      );
      store = injector.get(WebSocketStore);

      expect(factory).toHaveBeenCalledWith({ url: '/live' });
      expect(store.client).toBe(client);
    });

    it('destroys the client with its injector and stops following it', () => {
      client = new FakeHeartbeatClient();
      const injector = createEnvironmentInjector([provideHeartbeatTesting(client)], TestBed.inject(EnvironmentInjector));
      store = injector.get(WebSocketStore);
      injector.destroy();

      expect(client.destroyed).toBe(true);
      expect(client.calls).toEqual(['destroy']);
    });
  });

  describe('#state', () => {
    it('starts with the client’s current state', () => {
      setUp({ phase: 'connected', pingCount: 4 });

      expect(store.state()).toBe(client.state);
      expect(store.status()).toBe('connected');
      expect(store.pingCount()).toBe(4);
    });

    it('has a signal for every field of the client state', () => {
      setUp();
      const fields = Object.keys(initialClientState(5, true, true)).sort();

      expect(Object.keys(CHANGED_STATE).sort()).toEqual(fields);
      for (const field of fields) expect(typeof store[field as keyof HeartbeatClientState]).toBe('function');
    });

    it.each(Object.keys(CHANGED_STATE) as (keyof HeartbeatClientState)[])('follows state$ for %s', (field) => {
      setUp();

      client.setState({ [field]: CHANGED_STATE[field] });

      expect(store[field]()).toBe(CHANGED_STATE[field]);
      expect(store.state()[field]).toBe(CHANGED_STATE[field]);
    });

    it('notifies a field’s readers only when that field changes', () => {
      setUp();
      const seen: number[] = [];
      TestBed.runInInjectionContext(() => effect(() => seen.push(store.pingCount())));
      TestBed.tick();

      client.setState({ rttMs: 12, lastPongAt: 1 });
      TestBed.tick();
      client.setState({ pingCount: 1 });
      TestBed.tick();

      expect(seen).toEqual([0, 1]);
    });

    it('derives isConnected from the status', () => {
      setUp();
      expect(store.isConnected()).toBe(false);

      client.setState({ phase: 'connected' });

      expect(store.isConnected()).toBe(true);
    });
  });

  describe('#state$', () => {
    it('emits the current state and every change, inside Angular’s zone', () => {
      setUp();
      const zones = recordZones(TestBed.inject(NgZone));
      const received: [string, boolean][] = [];
      const subscription = store.state$.subscribe((state) => received.push([state.status, zones.inside > 0]));

      client.setState({ phase: 'connecting' });
      subscription.unsubscribe();
      client.setState({ phase: 'connected' });

      expect(received).toEqual([
        ['disconnected', true],
        ['connecting', true],
      ]);
    });
  });

  describe('API', () => {
    it.each([
      'connect',
      'disconnect',
      'enableAutoReconnect',
      'disableAutoReconnect',
      'resetReconnectState',
      'sendPing',
    ] as const)('#%s calls the client’s method outside Angular’s zone', (method) => {
      setUp();
      const zones = recordZones(TestBed.inject(NgZone));
      let outside = false;
      jest.spyOn(client, method).mockImplementation((() => {
        outside = zones.outside > 0;
        return method === 'connect' ? Promise.resolve() : undefined;
      }) as never);

      void store[method]();

      expect(client[method]).toHaveBeenCalledTimes(1);
      expect(outside).toBe(true);
    });

    it('#connect resolves and rejects as the client does', async () => {
      setUp();
      await expect(store.connect()).resolves.toBeUndefined();
      jest.spyOn(client, 'connect').mockRejectedValueOnce(new Error('refused'));

      await expect(store.connect()).rejects.toThrow('refused');
    });

    it('#sendPing tells whether a ping went out', () => {
      setUp();
      expect(store.sendPing()).toBe(false);

      client.setState({ phase: 'connected' });

      expect(store.sendPing()).toBe(true);
      expect(store.pingCount()).toBe(1);
    });

    it('#send forwards the topic and data and resolves on the ack', async () => {
      setUp({ phase: 'connected' });

      await expect(store.send('alerts', { ack: 'a-1' })).resolves.toBeUndefined();
      expect(client.sent).toEqual([{ topic: 'alerts', data: { ack: 'a-1' } }]);
    });

    it('#send returns the client’s promise: pending (counted in pendingMessages) until acknowledged, rejected as the client rejects', async () => {
      setUp({ phase: 'idle' });
      client.autoAck = false;
      const settled: string[] = [];

      const acked = store.send('alerts.ack', { alertId: 'a-1' }).then(() => settled.push('acked'));
      const refused = store.send('alerts.ack', { alertId: 'a-2' }).catch((error: Error) => settled.push(error.message));
      expect(store.pendingMessages()).toBe(2);
      client.rejectSent(1, new Error('outbox full'));
      client.ackSent(0);
      await Promise.all([acked, refused]);

      expect(settled.sort()).toEqual(['acked', 'outbox full']);
      expect(store.pendingMessages()).toBe(0);
    });
  });

  describe('#on', () => {
    it('calls the handler inside Angular’s zone until unsubscribed', () => {
      setUp();
      const zones = recordZones(TestBed.inject(NgZone));
      const calls: [number, boolean][] = [];
      const off = store.on('pong', (pong) => calls.push([pong.rttMs, zones.inside > 0]));

      client.emit('pong', { sequence: 1, rttMs: 20, clockOffsetMs: 0, at: 1 });
      off();
      client.emit('pong', { sequence: 2, rttMs: 30, clockOffsetMs: 0, at: 2 });

      expect(calls).toEqual([[20, true]]);
    });
  });

  describe('#events', () => {
    it('delivers only the named event', () => {
      setUp();
      const lost: number[] = [];
      const subscription = store.events('connection_lost').subscribe((event) => lost.push(event.code));

      client.emit('pong', { sequence: 1, rttMs: 20, clockOffsetMs: 0, at: 1 });
      client.emit('connection_lost', { code: 1006, reason: '', wasClean: false, willReconnect: true, at: 2 });
      subscription.unsubscribe();

      expect(lost).toEqual([1006]);
    });
  });

  describe('#subscribe', () => {
    it('subscribes to the topic outside the zone and delivers inside it', () => {
      setUp({ phase: 'connected' });
      const zones = recordZones(TestBed.inject(NgZone));
      const received: [TopicEvent<{ id: string }>, boolean][] = [];
      let subscribedOutside = false;
      const subscribe = client.subscribe.bind(client);
      jest.spyOn(client, 'subscribe').mockImplementation((topic) => {
        subscribedOutside = zones.outside > 0;
        return subscribe(topic);
      });

      const subscription = store.subscribe<{ id: string }>('alerts').subscribe((event) => received.push([event, zones.inside > 0]));
      client.publish('alerts', { id: 'a-1' });
      client.publish('other', { id: 'x' });

      expect(subscribedOutside).toBe(true);
      expect(received.map(([event, inside]) => [event.topic, event.seq, event.data.id, inside])).toEqual([['alerts', 1, 'a-1', true]]);
      subscription.unsubscribe();
      expect(client.subscriberCount('alerts')).toBe(0);
    });

    it('does not touch the client until someone subscribes', () => {
      setUp();
      const spy = jest.spyOn(client, 'subscribe');

      const alerts$ = store.subscribe('alerts');

      expect(spy).not.toHaveBeenCalled();
      alerts$.subscribe().unsubscribe();
      expect(spy).toHaveBeenCalledWith('alerts');
    });
  });

  describe('#request', () => {
    it('calls the client outside the zone and resolves with the handler\'s answer', async () => {
      setUp({ phase: 'connected' });
      const zones = recordZones(TestBed.inject(NgZone));
      let outside = false;
      const request = client.request.bind(client);
      jest.spyOn(client, 'request').mockImplementation((topic, data, options) => {
        outside = zones.outside > 0;
        return request(topic, data, options);
      });

      const answer = store.request<{ acknowledged: boolean }>('alerts.ack', { alertId: 'a-1' }, { timeout: 5_000 });
      client.answerRequest(0, { acknowledged: true });

      await expect(answer).resolves.toEqual({ acknowledged: true });
      expect(client.requests).toEqual([{ topic: 'alerts.ack', data: { alertId: 'a-1' }, options: { timeout: 5_000 } }]);
      expect(outside).toBe(true);
    });

    it('rejects as the client rejects', async () => {
      setUp({ phase: 'connected' });

      const answer = store.request('alerts.ack', {});
      client.rejectRequest(0, new HeartbeatRequestError('forbidden', 'Not yours.'));

      await expect(answer).rejects.toMatchObject({ name: 'HeartbeatRequestError', code: 'forbidden' });
    });
  });

  describe('#messages$', () => {
    it('delivers the server\'s messages inside the zone', () => {
      setUp({ phase: 'connected' });
      const zones = recordZones(TestBed.inject(NgZone));
      const received: [unknown, boolean][] = [];

      const subscription = store.messages$.subscribe((message) => received.push([message.data, zones.inside > 0]));
      client.serverMessage({ text: 'hi' }, 'notice');
      subscription.unsubscribe();
      client.serverMessage('late');

      expect(received).toEqual([[{ text: 'hi' }, true]]);
    });
  });

  describe('#presence', () => {
    const alice: PresenceMember = { user_id: 'alice', connections: 2, since: 1_000 };
    const bob: PresenceMember = { user_id: 'bob', connections: 1, since: 2_000 };

    it('is an empty signal until the first snapshot, then follows the members', () => {
      setUp({ phase: 'connected' });
      const members = TestBed.runInInjectionContext(() => store.presence('room'));
      expect(members()).toEqual([]);

      client.setPresence('room', [alice]);
      expect(members()).toEqual([alice]);
      client.setPresence('room', [alice, bob]);
      expect(members()).toEqual([alice, bob]);
    });

    it('observes the topic until the injector it was made in is destroyed', () => {
      setUp({ phase: 'connected' });
      const injector = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));

      store.presence('room', { injector });
      expect(client.subscriberCount('room')).toBe(1);
      injector.destroy();

      expect(client.subscriberCount('room')).toBe(0);
    });

    it('says it needs an injection context or an injector when called without either', () => {
      setUp({ phase: 'connected' });

      expect(() => store.presence('room')).toThrow(/injection context/);
      expect(client.subscriberCount('room')).toBe(0);
    });

    it('throws the HeartbeatTopicError when read after the server refused the presence', () => {
      setUp({ phase: 'connected' });
      const members = TestBed.runInInjectionContext(() => store.presence('room'));

      client.refusePresence('room', new HeartbeatTopicError('presence_disabled', 'room', 'No presence here.'));

      expect(() => members()).toThrow(HeartbeatTopicError);
    });
  });

  describe('zoneless change detection', () => {
    @Component({
      selector: 'hb-status-probe',
      changeDetection: ChangeDetectionStrategy.OnPush,
      template: '<span>{{ store.status() }} {{ store.pingCount() }}</span>',
    })
    class StatusProbeComponent {
      readonly store = inject(WebSocketStore);
    }

    it('updates an OnPush template when the client emits from a socket callback', async () => {
      setUp();
      const fixture = TestBed.createComponent(StatusProbeComponent);
      await fixture.whenStable();
      expect(fixture.nativeElement.textContent).toBe('disconnected 0');

      // A macrotask, like a WebSocket message event: nothing but the signal tells Angular.
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          client.setState({ phase: 'connected', pingCount: 3 });
          resolve();
        }, 0),
      );
      await fixture.whenStable();

      expect(fixture.nativeElement.textContent).toBe('connected 3');
    });
  });
});
