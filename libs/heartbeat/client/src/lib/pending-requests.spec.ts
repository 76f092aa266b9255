import { manualClock } from '../testing/manual-clock.js';
import { HeartbeatRequestError } from './heartbeat-request-error.js';
import { PendingRequests } from './pending-requests.js';

/** Pending requests on a manual clock; `connected` decides whether `write` takes frames. */
function setup(connected = true) {
  const clock = manualClock();
  const written: string[] = [];
  const state = { connected };
  const requests = new PendingRequests({ clock, requestTimeout: 1_000 }, 'p', (text) => state.connected && written.push(text) > 0);
  const frames = () => written.map((text) => JSON.parse(text) as { id: string; topic: string; data: unknown });
  return { clock, requests, written, frames, state };
}

/** The settled value or error of `promise`, after the microtasks have run. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('PendingRequests', () => {
  describe('#call', () => {
    it('writes a request frame with an id of its own at once when connected', () => {
      const { requests, frames } = setup();

      void requests.call('alerts.ack', { id: 1 });
      void requests.call('alerts.ack', { id: 2 });

      expect(frames()).toEqual([
        { type: 'request', id: 'p-r1', topic: 'alerts.ack', data: { id: 1 } },
        { type: 'request', id: 'p-r2', topic: 'alerts.ack', data: { id: 2 } },
      ]);
    });

    it('keeps a request while not connected and writes it on the next flush', () => {
      const { requests, written, state } = setup(false);

      void requests.call('alerts.ack', 1);
      expect(written).toEqual([]);
      state.connected = true;
      requests.flush((text) => written.push(text) > 0);
      requests.flush((text) => written.push(text) > 0);

      expect(written).toHaveLength(1);
    });

    it('stops the client\'s default timeout with its own', async () => {
      const { clock, requests } = setup();

      const answer = outcome(requests.call('alerts.ack', 1, { timeout: 5_000 }));
      clock.advance(4_999);
      expect(requests.size).toBe(1);
      clock.advance(1);

      expect(await answer).toEqual({ error: expect.objectContaining({ code: 'timeout' }) });
    });
  });

  describe('#result', () => {
    it('resolves the request once and clears its timer', async () => {
      const { clock, requests } = setup();
      const answer = requests.call('alerts.ack', 1);

      expect(requests.result('p-r1', 'done')).toBe(true);
      expect(requests.result('p-r1', 'again')).toBe(false);

      await expect(answer).resolves.toBe('done');
      expect(clock.pending).toBe(0);
    });
  });

  describe('#fail', () => {
    it('rejects with the server\'s code and details, and is false for an id it does not know', async () => {
      const { requests } = setup();
      const answer = requests.call('alerts.ack', 1);

      expect(requests.fail('m-1', 'forbidden', 'no', undefined)).toBe(false);
      expect(requests.fail('p-r1', 'request_failed', 'Alert a-1 is closed.', { alertId: 'a-1' })).toBe(true);

      const error = (await outcome(answer)) as { error: HeartbeatRequestError };
      expect(error.error).toMatchObject({ code: 'request_failed', details: { alertId: 'a-1' } });
      expect(error.error.message).toBe('The request on "alerts.ack" failed (request_failed): Alert a-1 is closed.');
    });
  });

  describe('#connectionLost', () => {
    it('fails the requests in flight and keeps the ones still waiting for a connection', async () => {
      const { requests, state } = setup();
      const sent = outcome(requests.call('alerts.ack', 1));
      state.connected = false;
      const waiting = requests.call('alerts.ack', 2);

      requests.connectionLost();
      requests.connectionLost();

      expect(await sent).toEqual({ error: expect.objectContaining({ code: 'connection_lost' }) });
      expect(requests.size).toBe(1);
      requests.result('p-r2', 'ok');
      await expect(waiting).resolves.toBe('ok');
    });
  });

  describe('#close', () => {
    it('rejects what is pending and every later call with destroyed, and stops the timers', async () => {
      const { clock, requests } = setup();
      const pending = outcome(requests.call('alerts.ack', 1));

      requests.close('pending', 'later');
      requests.close('pending', 'later');

      expect(await pending).toEqual({ error: expect.objectContaining({ code: 'destroyed', message: 'pending' }) });
      await expect(requests.call('alerts.ack', 1)).rejects.toMatchObject({ code: 'destroyed', message: 'later' });
      expect(clock.pending).toBe(0);
    });
  });
});
