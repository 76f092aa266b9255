import { contractLocalNode } from '../lib/core/backplane.contract.js';
import { HeartbeatMessages } from '../lib/core/heartbeat.messages.js';
import type { CoreLogger } from '../lib/core/logger.port.js';
import { MemoryBackplane } from '../lib/core/memory-backplane.js';
import { TopicHub } from '../lib/core/topic-hub.js';
import type { TopicPresence } from '../lib/core/topic-presence.js';
import { RecordingLogger } from './recording-logger.js';

/**
 * A real TopicHub over a started MemoryBackplane of node `unit`, as HeartbeatModule wires one without
 * Redis, for a TestCore's `topics`: the connections then hold their topics, and the hub's own rules
 * (replay, presence) apply.
 */
export function memoryTopicHub(options: { logger?: CoreLogger; presence?: TopicPresence } = {}): TopicHub {
  const backplane = new MemoryBackplane({ nodeId: 'unit', replay: { maxEvents: 100, maxAgeMs: 60_000 }, clock: { now: () => Date.UTC(2026, 0, 1) } });
  void backplane.start(contractLocalNode('unit', []));
  return new TopicHub(backplane, { replay: { maxEvents: 100 }, logger: options.logger ?? new RecordingLogger(), messages: HeartbeatMessages, presence: options.presence });
}
