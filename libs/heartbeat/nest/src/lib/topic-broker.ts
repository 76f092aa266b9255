import { Backplane } from './core/backplane.js';

/**
 * @deprecated Since 0.2.0: what a node shares with the others about a topic (its seq, epoch and
 * history) is the {@link Backplane} port; subscribers are kept by the topic hub above it. This old
 * name resolves the module's backplane (docs/upgrading.md).
 */
export const TopicBroker = Backplane;
/** @deprecated Since 0.2.0: {@link Backplane}. */
export type TopicBroker = Backplane;

export type { PublishResult } from './core/topic-hub.js';
