import type { HeartbeatClientMessage } from '@heartbeat/nest';
import { Subject } from 'rxjs';
import {
  ALERT_ACKS_TOPIC,
  AlertAcknowledgements,
  MAX_REMEMBERED_ACKNOWLEDGEMENTS,
  type AlertAcknowledgement,
} from './alert-acknowledgements.js';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const ALERT = 'alt_0123456789abcdef';

function setup(capacity?: number) {
  const messages$ = new Subject<HeartbeatClientMessage>();
  const published: [string, AlertAcknowledgement][] = [];
  const ledger = new AlertAcknowledgements({ messages$, publish: async (topic, data) => published.push([topic, data]) }, () => NOW, capacity);
  const message = (topic: string | undefined, data: unknown, id = 'm-1'): HeartbeatClientMessage => ({
    connectionId: 'c-1',
    sessionId: 's-1',
    id,
    topic,
    data,
  });
  return { ledger, messages$, published, message };
}

describe('AlertAcknowledgements', () => {
  describe('#acknowledge', () => {
    it('records an alert once and publishes it on alerts.acks', () => {
      const { ledger, published } = setup();

      expect(ledger.acknowledge({ alertId: ALERT })).toBe('recorded');
      expect(ledger.acknowledge({ alertId: ALERT })).toBe('duplicate');

      expect(published).toEqual([[ALERT_ACKS_TOPIC, { alertId: ALERT, acknowledgedAt: '2026-01-01T12:00:00.000Z' }]]);
      expect(ledger.get(ALERT)).toEqual({ alertId: ALERT, acknowledgedAt: '2026-01-01T12:00:00.000Z' });
    });

    it.each([
      ['no object', 'alt_0123456789abcdef'],
      ['null', null],
      ['no alertId', { id: ALERT }],
      ['an alertId that is not an alert id', { alertId: 'alt_<script>' }],
      ['a number', { alertId: 42 }],
    ])('ignores a message with %s', (_, data) => {
      const { ledger, published } = setup();

      expect(ledger.acknowledge(data)).toBe('invalid');
      expect(published).toEqual([]);
    });

    it(`remembers at most ${MAX_REMEMBERED_ACKNOWLEDGEMENTS} alerts, forgetting the oldest`, () => {
      const { ledger } = setup(2);
      const ids = ['a', 'b', 'c'].map((c) => `alt_${c.repeat(16)}`);

      for (const alertId of ids) ledger.acknowledge({ alertId });

      expect(ids.map((id) => ledger.get(id) !== undefined)).toEqual([false, true, true]);
    });
  });

  describe('#start', () => {
    it('handles alerts.ack messages only, until stopped', () => {
      const { ledger, messages$, published, message } = setup();
      ledger.start();
      ledger.start();

      messages$.next(message('alerts', { alertId: ALERT }));
      messages$.next(message(undefined, { alertId: ALERT }));
      messages$.next(message('alerts.ack', { alertId: ALERT }));
      messages$.next(message('alerts.ack', { alertId: ALERT }, 'm-2'));
      ledger.stop();
      messages$.next(message('alerts.ack', { alertId: 'alt_ffffffffffffffff' }));

      expect(published.map(([, ack]) => ack.alertId)).toEqual([ALERT]);
    });
  });
});
