import type { HeartbeatClientMessage } from '@heartbeat/nest';
import { Subject } from 'rxjs';
import {
  ALERT_ACKS_TOPIC,
  AlertAcknowledgements,
  InvalidAcknowledgement,
  MAX_REMEMBERED_ACKNOWLEDGEMENTS,
  type AlertAcknowledgement,
} from './alert-acknowledgements.js';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const ALERT = 'alt_0123456789abcdef';

function setup(capacity?: number, now = () => NOW) {
  const messages$ = new Subject<HeartbeatClientMessage>();
  const published: [string, AlertAcknowledgement][] = [];
  const ledger = new AlertAcknowledgements({ messages$, publish: async (topic, data) => published.push([topic, data]) }, now, capacity);
  const message = (topic: string | undefined, data: unknown, id = 'm-1'): HeartbeatClientMessage => ({
    connectionId: 'c-1',
    sessionId: 's-1',
    userId: undefined,
    id,
    topic,
    data,
  });
  return { ledger, messages$, published, message };
}

describe('AlertAcknowledgements', () => {
  describe('#acknowledge', () => {
    it('records an alert once, publishes it on alerts.acks, and answers a repeat with the first acknowledgement', () => {
      let now = NOW;
      const { ledger, published } = setup(undefined, () => now);

      expect(ledger.acknowledge({ alertId: ALERT })).toEqual({ alertId: ALERT, acknowledgedAt: '2026-01-01T12:00:00.000Z', duplicate: false });
      now = new Date('2026-01-01T12:05:00.000Z');
      expect(ledger.acknowledge({ alertId: ALERT })).toEqual({ alertId: ALERT, acknowledgedAt: '2026-01-01T12:00:00.000Z', duplicate: true });

      expect(published).toEqual([[ALERT_ACKS_TOPIC, { alertId: ALERT, acknowledgedAt: '2026-01-01T12:00:00.000Z' }]]);
      expect(ledger.get(ALERT)).toEqual({ alertId: ALERT, acknowledgedAt: '2026-01-01T12:00:00.000Z' });
    });

    it.each([
      ['no object', 'alt_0123456789abcdef'],
      ['null', null],
      ['no alertId', { id: ALERT }],
      ['an alertId that is not an alert id', { alertId: 'alt_<script>' }],
      ['a number', { alertId: 42 }],
    ])('refuses data with %s with a sentence, and records nothing', (_, data) => {
      const { ledger, published } = setup();

      expect(() => ledger.acknowledge(data)).toThrow(InvalidAcknowledgement);
      expect(() => ledger.acknowledge(data)).toThrow(/needs \{ alertId \} with the id of an alert/);
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
    it('handles alerts.ack messages only, until stopped, and lives through malformed ones', () => {
      const { ledger, messages$, published, message } = setup();
      ledger.start();
      ledger.start();

      messages$.next(message('alerts.ack', { alertId: 'not-an-alert' }));
      messages$.next(message('alerts.ack', null));
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
