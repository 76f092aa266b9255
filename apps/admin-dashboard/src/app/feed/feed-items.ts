import type { HeartbeatClientEventMap, TopicEvent } from '@heartbeat/client';
import type { ModerationAlert } from './moderation-alert';

/** How many entries the feed keeps; older ones fall off the end. */
export const FEED_LIMIT = 200;

export interface AlertItem {
  kind: 'alert';
  key: string;
  seq: number;
  epoch: string;
  alert: ModerationAlert;
}

/** Marks where events were lost (the server could not replay them): what is below it is from before. */
export interface ResyncItem {
  kind: 'resync';
  key: string;
  reason: HeartbeatClientEventMap['gap']['reason'];
  lastSeq: number | null;
  previousEpoch: string | null;
  epoch: string;
  seq: number;
  at: number;
}

export type FeedItem = AlertItem | ResyncItem;

/** The feed with `event` on top (newest first), at most `limit` entries long. */
export function prependAlert(items: readonly FeedItem[], event: TopicEvent<ModerationAlert>, limit = FEED_LIMIT): FeedItem[] {
  const item: AlertItem = { kind: 'alert', key: `${event.epoch}:${event.seq}`, seq: event.seq, epoch: event.epoch, alert: event.data };
  return [item, ...items.slice(0, limit - 1)];
}

/** The feed with a resync marker on top, at most `limit` entries long. */
export function prependResync(items: readonly FeedItem[], gap: HeartbeatClientEventMap['gap'], at: number, limit = FEED_LIMIT): FeedItem[] {
  const item: ResyncItem = {
    kind: 'resync',
    key: `resync:${gap.epoch}:${gap.seq}:${at}`,
    reason: gap.reason,
    lastSeq: gap.lastSeq,
    previousEpoch: gap.previousEpoch,
    epoch: gap.epoch,
    seq: gap.seq,
    at,
  };
  return [item, ...items.slice(0, limit - 1)];
}
