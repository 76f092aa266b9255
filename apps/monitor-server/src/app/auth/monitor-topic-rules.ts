import type { HeartbeatModuleOptions } from '@heartbeat/nest';
import { ALERT_ACK_MESSAGE_TOPIC, ALERT_ACKS_TOPIC } from '../alerts/alert-acknowledgements.js';
import { ALERTS_TOPIC } from '../alerts/moderation-alert.js';

/**
 * Who may read and send what on the monitor server (docs/server.md#who-may-read-what). Every
 * connection got past `verifyToken` with a token of `CLIENT_TOKENS`, so `anyone` here means every
 * client with a valid token, a bare (anonymous) one included: existing deployments with bare tokens
 * keep their feed and their acknowledgements. A personal topic `user.<id>` is its user's alone; the
 * topic patterns of `PUBLIC_TOPICS` are everybody's to read (the benchmark's `bench`, topics an
 * operator publishes to with POST /api/heartbeat/topics/:topic/events). Every other topic is
 * refused (`forbidden`).
 */
export function monitorTopicRules(publicTopics: readonly string[]): NonNullable<HeartbeatModuleOptions['authorize']> {
  return [
    { topic: ALERTS_TOPIC, actions: ['subscribe'], allow: 'anyone' },
    { topic: ALERT_ACKS_TOPIC, actions: ['subscribe'], allow: 'anyone' },
    { topic: ALERT_ACK_MESSAGE_TOPIC, actions: ['publish'], allow: 'anyone' },
    { topic: 'user.{userId}', actions: ['subscribe'], allow: 'authenticated' },
    ...publicTopics.map((topic) => ({ topic, actions: ['subscribe' as const], allow: 'anyone' as const })),
  ];
}
