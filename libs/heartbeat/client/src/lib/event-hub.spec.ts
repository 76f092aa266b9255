import { jest } from '@jest/globals';
import { EventHub } from './event-hub.js';

interface TestEvents {
  ping: { n: number };
  status: string;
}

function hub() {
  const handlerErrors: [keyof TestEvents, unknown][] = [];
  const events = new EventHub<TestEvents>((event, error) => handlerErrors.push([event, error]));
  return { events, handlerErrors };
}

describe('EventHub', () => {
  describe('#on', () => {
    it('calls the handler with each payload of its event, in order', () => {
      const { events } = hub();
      const received: number[] = [];
      events.on('ping', (payload) => received.push(payload.n));

      events.emit('ping', { n: 1 });
      events.emit('ping', { n: 2 });

      expect(received).toEqual([1, 2]);
    });

    it('does not call the handler for other events', () => {
      const { events } = hub();
      const handler = jest.fn();
      events.on('ping', handler);

      events.emit('status', 'connected');

      expect(handler).not.toHaveBeenCalled();
    });

    it('calls every handler of the event', () => {
      const { events } = hub();
      const first = jest.fn();
      const second = jest.fn();
      events.on('status', first);
      events.on('status', second);

      events.emit('status', 'connected');

      expect(first).toHaveBeenCalledWith('connected');
      expect(second).toHaveBeenCalledWith('connected');
    });

    it('returns a function that removes the handler', () => {
      const { events } = hub();
      const handler = jest.fn();
      const off = events.on('status', handler);

      events.emit('status', 'a');
      off();
      events.emit('status', 'b');
      off();

      expect(handler.mock.calls).toEqual([['a']]);
    });

    it('reports a handler that throws and still runs the others', () => {
      const { events, handlerErrors } = hub();
      const failure = new Error('handler bug');
      const after = jest.fn();
      events.on('status', () => {
        throw failure;
      });
      events.on('status', after);

      events.emit('status', 'connected');
      events.emit('status', 'disconnected');

      expect(handlerErrors).toEqual([
        ['status', failure],
        ['status', failure],
      ]);
      expect(after.mock.calls).toEqual([['connected'], ['disconnected']]);
    });

    it('keeps a handler that threw subscribed', () => {
      const { events, handlerErrors } = hub();
      let calls = 0;
      events.on('ping', () => {
        calls += 1;
        throw new Error('again');
      });

      events.emit('ping', { n: 1 });
      events.emit('ping', { n: 2 });

      expect(calls).toBe(2);
      expect(handlerErrors).toHaveLength(2);
    });
  });

  describe('#events', () => {
    it('is an Observable of the event\'s payloads', () => {
      const { events } = hub();
      const received: string[] = [];
      const subscription = events.events('status').subscribe((status) => received.push(status));

      events.emit('status', 'connecting');
      events.emit('ping', { n: 1 });
      events.emit('status', 'connected');
      subscription.unsubscribe();
      events.emit('status', 'disconnected');

      expect(received).toEqual(['connecting', 'connected']);
    });

    it('shares one stream between Observables and handlers', () => {
      const { events } = hub();
      const order: string[] = [];
      events.events('status').subscribe((status) => order.push(`observable:${status}`));
      events.on('status', (status) => order.push(`handler:${status}`));

      events.emit('status', 'x');

      expect(order).toEqual(['observable:x', 'handler:x']);
    });

    it('does not replay payloads emitted before subscribing', () => {
      const { events } = hub();
      const received: string[] = [];

      events.emit('status', 'early');
      events.events('status').subscribe((status) => received.push(status));

      expect(received).toEqual([]);
    });

    it('cannot be used to emit', () => {
      const { events } = hub();

      expect('next' in events.events('status')).toBe(false);
    });
  });

  describe('#emit', () => {
    it('does nothing when nobody listens', () => {
      const { events, handlerErrors } = hub();

      expect(() => events.emit('ping', { n: 1 })).not.toThrow();
      expect(handlerErrors).toEqual([]);
    });
  });

  describe('#complete', () => {
    it('completes every Observable and stops the handlers', () => {
      const { events } = hub();
      const completed: string[] = [];
      const handler = jest.fn();
      events.events('status').subscribe({ complete: () => completed.push('status') });
      events.events('ping').subscribe({ complete: () => completed.push('ping') });
      events.on('status', handler);

      events.complete();
      events.emit('status', 'after');

      expect(completed.sort()).toEqual(['ping', 'status']);
      expect(handler).not.toHaveBeenCalled();
    });

    it('leaves the hub usable for new subscribers', () => {
      const { events } = hub();
      events.complete();
      const handler = jest.fn();

      events.on('status', handler);
      events.emit('status', 'again');

      expect(handler).toHaveBeenCalledWith('again');
    });

    it('is safe to call twice', () => {
      const { events } = hub();
      events.events('status').subscribe();

      events.complete();

      expect(() => events.complete()).not.toThrow();
    });
  });
});
