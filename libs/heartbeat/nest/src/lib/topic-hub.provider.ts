import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Backplane } from './core/backplane.js';
import { TopicHub } from './core/topic-hub.js';
import { TopicPresence } from './core/topic-presence.js';
import { HEARTBEAT_LOGGER, HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './core/heartbeat-options.interface.js';
import type { CoreLogger } from './core/logger.port.js';

/**
 * The topic hub in a Nest module: over the module's backplane, with the topics' presence, released
 * from by the registry (its release order), and let go of after the drain.
 */
@Injectable()
export class TopicHubProvider extends TopicHub implements OnApplicationShutdown {
  constructor(
    @Inject(HEARTBEAT_OPTIONS) options: ResolvedHeartbeatOptions,
    backplane: Backplane,
    @Inject(HEARTBEAT_LOGGER) logger: CoreLogger,
    presence: TopicPresence,
  ) {
    super(backplane, { replay: options.replay, logger, messages: HeartbeatMessages, presence });
  }

  /** Not before: publishes made during the drain (beforeApplicationShutdown) still resolve. */
  onApplicationShutdown(): void {
    this.close();
  }
}
