import { TestBed } from '@angular/core/testing';
import { WebSocketStore } from '../lib/web-socket.store.js';
import { FakeHeartbeatClient } from './fake-heartbeat.client.js';
import { provideHeartbeatTesting } from './heartbeat-testing.providers.js';

describe('FakeHeartbeatClient', () => {
  describe('#setState', () => {
    it('derives the status from the phase as the real client does', () => {
      const client = new FakeHeartbeatClient();

      client.setState({ phase: 'backoff' });
      expect(client.state.status).toBe('connecting');
      client.setState({ phase: 'suspended' });
      expect(client.state.status).toBe('error');
      client.setState({ phase: 'offline', status: 'error' });
      expect(client.state.status).toBe('error');
    });

    it('starts from the given state and the options’ attempt limit', () => {
      const client = new FakeHeartbeatClient({ url: '/ws', maxReconnectAttempts: 9, autoReconnect: false }, { phase: 'connected' });

      expect(client.state).toMatchObject({ status: 'connected', maxReconnectAttempts: 9, autoReconnect: false });
    });
  });

  describe('#connect', () => {
    it('connects at once and records the call', async () => {
      const client = new FakeHeartbeatClient(undefined, { lastError: 'old', lastErrorKind: 'connection-refused' });

      await client.connect();

      expect(client.state).toMatchObject({ status: 'connected', sessionId: 'fake-session', lastError: null, lastErrorKind: null });
      expect(client.state.connectedAt).toEqual(expect.any(Number));
      expect(client.calls).toEqual(['connect']);
    });
  });

  describe('#disconnect', () => {
    it('goes idle with a normal close', () => {
      const client = new FakeHeartbeatClient(undefined, { phase: 'connected' });

      client.disconnect();

      expect(client.state).toMatchObject({ status: 'disconnected', phase: 'idle', lastCloseCode: 1000, connectedAt: null });
    });
  });

  describe('#disableAutoReconnect', () => {
    it('cancels a scheduled attempt', () => {
      const client = new FakeHeartbeatClient(undefined, { phase: 'backoff', isReconnecting: true, nextReconnectAt: 5 });

      client.disableAutoReconnect();

      expect(client.state).toMatchObject({ autoReconnect: false, phase: 'idle', nextReconnectAt: null, isReconnecting: false });
    });
  });

  describe('#sendPing', () => {
    it('counts a ping only while connected', () => {
      const client = new FakeHeartbeatClient();

      expect(client.sendPing()).toBe(false);
      client.setState({ phase: 'connected' });
      expect(client.sendPing()).toBe(true);
      expect(client.state.pingCount).toBe(1);
    });
  });

  describe('#subscribe', () => {
    it('numbers each topic’s events and counts subscribers', () => {
      const client = new FakeHeartbeatClient();
      const seqs: number[] = [];
      const first = client.subscribe('alerts').subscribe((event) => seqs.push(event.seq));
      const second = client.subscribe('alerts').subscribe();

      client.publish('alerts', 'a');
      client.publish('alerts', 'b');
      expect(client.subscriberCount('alerts')).toBe(2);
      first.unsubscribe();
      second.unsubscribe();

      expect(seqs).toEqual([1, 2]);
      expect(client.subscriberCount('alerts')).toBe(0);
    });
  });

  describe('#send', () => {
    it('records the message and resolves at once by default', async () => {
      const client = new FakeHeartbeatClient();

      await expect(client.send('t', { a: 1 })).resolves.toBeUndefined();
      expect(client.sent).toEqual([{ topic: 't', data: { a: 1 } }]);
      expect(client.state.pendingMessages).toBe(0);
    });

    it('with autoAck off keeps each send pending until ackSent() or rejectSent()', async () => {
      const client = new FakeHeartbeatClient();
      client.autoAck = false;
      const outcomes: string[] = [];

      const first = client.send('t', 1).then(() => outcomes.push('first acked'));
      const second = client.send('t', 2).catch((error: Error) => outcomes.push(`second ${error.message}`));
      const third = client.send('t', 3).then(() => outcomes.push('third acked'));
      expect(client.state.pendingMessages).toBe(3);
      client.rejectSent(1, new Error('refused'));
      client.ackSent();
      await Promise.all([first, second, third]);

      expect(outcomes.sort()).toEqual(['first acked', 'second refused', 'third acked']);
      expect(client.state.pendingMessages).toBe(0);
    });

    it('rejects pending sends on disconnect(), as the real client does', async () => {
      const client = new FakeHeartbeatClient(undefined, { phase: 'connected' });
      client.autoAck = false;

      const pending = client.send('t', 1);
      client.disconnect();

      await expect(pending).rejects.toMatchObject({ name: 'HeartbeatSendError', code: 'disconnected' });
      expect(client.state.pendingMessages).toBe(0);
    });
  });

  describe('#request', () => {
    it('records each request and keeps it pending until answerRequest() or rejectRequest()', async () => {
      const client = new FakeHeartbeatClient();

      const answered = client.request('alerts.ack', { alertId: 'a-1' });
      const rejected = client.request('alerts.ack', { alertId: 'a-2' }, { timeout: 1_000 });
      client.answerRequest(0, 'ok');
      client.rejectRequest(1, new Error('refused'));
      client.answerRequest(1, 'too late');

      await expect(answered).resolves.toBe('ok');
      await expect(rejected).rejects.toThrow('refused');
      expect(client.requests).toEqual([
        { topic: 'alerts.ack', data: { alertId: 'a-1' }, options: undefined },
        { topic: 'alerts.ack', data: { alertId: 'a-2' }, options: { timeout: 1_000 } },
      ]);
    });
  });

  describe('#presence$', () => {
    it('delivers the members set for the topic, the last ones to a late subscriber, and counts subscribers', () => {
      const client = new FakeHeartbeatClient();
      const alice = { user_id: 'alice', connections: 1, since: 0 };
      const seen: string[][] = [];

      client.setPresence('room', [alice]);
      const subscription = client.presence$('room').subscribe((members) => seen.push(members.map((m) => m.user_id)));
      client.setPresence('room', []);

      expect(seen).toEqual([['alice'], []]);
      expect(client.subscriberCount('room')).toBe(1);
      subscription.unsubscribe();
      expect(client.subscriberCount('room')).toBe(0);
    });

    it('errors the presence with refusePresence()', () => {
      const client = new FakeHeartbeatClient();
      const error = jest.fn();
      client.presence$('room').subscribe({ error });

      client.refusePresence('room', new Error('presence_disabled'));

      expect(error).toHaveBeenCalledWith(new Error('presence_disabled'));
    });
  });

  describe('#destroy', () => {
    it('completes every stream', () => {
      const client = new FakeHeartbeatClient();
      const completed = jest.fn();
      client.state$.subscribe({ complete: completed });
      client.messages$.subscribe({ complete: completed });
      client.presence$('room').subscribe({ complete: completed });

      client.destroy();

      expect(completed).toHaveBeenCalledTimes(3);
      expect(client.destroyed).toBe(true);
    });
  });

  describe('#serverMessage', () => {
    it('emits on messages$ with the topic and a timestamp', () => {
      const client = new FakeHeartbeatClient();
      const seen: unknown[] = [];
      client.messages$.subscribe((message) => seen.push(message));

      client.serverMessage({ text: 'hi' }, 'notice');

      expect(seen).toEqual([{ topic: 'notice', data: { text: 'hi' }, timestamp: expect.any(String) }]);
    });
  });
});

describe('provideHeartbeatTesting', () => {
  it('backs WebSocketStore with the given fake', () => {
    const client = new FakeHeartbeatClient(undefined, { phase: 'connected', pingCount: 3 });
    TestBed.configureTestingModule({ providers: [provideHeartbeatTesting(client)] });

    const store = TestBed.inject(WebSocketStore);

    expect(store.client).toBe(client);
    expect(store.pingCount()).toBe(3);
  });

  it('makes its own fake when given none', () => {
    TestBed.configureTestingModule({ providers: [provideHeartbeatTesting()] });

    expect(TestBed.inject(WebSocketStore).client).toBeInstanceOf(FakeHeartbeatClient);
  });
});
