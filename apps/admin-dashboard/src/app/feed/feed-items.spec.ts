import type { TopicEvent } from '@heartbeat/client';
import { FEED_LIMIT, type FeedItem, prependAlert, prependResync } from './feed-items';
import type { ModerationAlert } from './moderation-alert';

function event(seq: number, epoch = 'e1'): TopicEvent<ModerationAlert> {
  return {
    topic: 'alerts',
    seq,
    epoch,
    timestamp: '2026-01-01T00:00:00.000Z',
    data: {
      id: `alt_${seq}`,
      content_id: 'cnt_1234567',
      content_type: 'text',
      category: 'spam',
      risk_score: 0.7,
      action: 'review',
      model: 'safety-text-v4',
      created_at: '2026-01-01T00:00:00.000Z',
    },
  };
}

describe('prependAlert', () => {
  it('puts the newest alert first, keyed by epoch and seq', () => {
    const items = prependAlert(prependAlert([], event(1)), event(2));
    expect(items.map((item) => item.key)).toEqual(['e1:2', 'e1:1']);
    expect(items[0]).toMatchObject({ kind: 'alert', seq: 2, epoch: 'e1', alert: { id: 'alt_2' } });
  });

  it('keeps at most FEED_LIMIT entries, dropping the oldest', () => {
    let items: FeedItem[] = [];
    for (let seq = 1; seq <= FEED_LIMIT + 5; seq++) items = prependAlert(items, event(seq));
    expect(items).toHaveLength(FEED_LIMIT);
    expect(items[0]).toMatchObject({ seq: FEED_LIMIT + 5 });
    expect(items[FEED_LIMIT - 1]).toMatchObject({ seq: 6 });
  });
});

describe('prependResync', () => {
  it('puts a marker with the gap on top of the older alerts', () => {
    const gap = { topic: 'alerts', reason: 'new-epoch', lastSeq: 41, previousEpoch: 'e1', epoch: 'e2', seq: 3 } as const;
    const items = prependResync(prependAlert([], event(41)), gap, 1234);
    expect(items[0]).toEqual({ kind: 'resync', key: 'resync:e2:3:1234', reason: 'new-epoch', lastSeq: 41, previousEpoch: 'e1', epoch: 'e2', seq: 3, at: 1234 });
    expect(items[1]).toMatchObject({ kind: 'alert', seq: 41 });
  });

  it('respects the limit too', () => {
    const gap = { topic: 'alerts', reason: 'evicted', lastSeq: 1, previousEpoch: 'e1', epoch: 'e1', seq: 900 } as const;
    expect(prependResync(prependAlert(prependAlert([], event(1)), event(2)), gap, 0, 2)).toHaveLength(2);
  });
});
