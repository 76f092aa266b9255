import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ConnectionRegistry } from './core/connection-registry.js';
import { Backplane } from './core/backplane.js';
import { TopicHub } from './core/topic-hub.js';
import { HEARTBEAT_LOGGER, HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './core/heartbeat-options.interface.js';
import type { CoreLogger } from './core/logger.port.js';

/**
 * The topic hub in a Nest module: over the module's backplane, told of every connection the
 * registry removes, and let go of after the drain.
 */
@Injectable()
export class TopicHubProvider extends TopicHub implements OnApplicationShutdown {
  private readonly removal: Subscription;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) options: ResolvedHeartbeatOptions,
    backplane: Backplane,
    registry: ConnectionRegistry,
    @Inject(HEARTBEAT_LOGGER) logger: CoreLogger,
  ) {
    super(backplane, { replay: options.replay, logger, messages: HeartbeatMessages });
    this.removal = registry.removed$.subscribe((connection) => this.removeSubscriber(connection));
  }

  /** Not before: connections closed by the drain (beforeApplicationShutdown) must still leave their topics. */
  onApplicationShutdown(): void {
    this.removal.unsubscribe();
    this.close();
  }
}
