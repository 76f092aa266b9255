import { MemoryBackplane } from './core/memory-backplane.js';

/** @deprecated Since 0.2.0: {@link MemoryBackplane}, the module's backplane in memory mode (docs/upgrading.md). */
export const InMemoryTopicBroker = MemoryBackplane;
/** @deprecated Since 0.2.0: {@link MemoryBackplane}. */
export type InMemoryTopicBroker = MemoryBackplane;
