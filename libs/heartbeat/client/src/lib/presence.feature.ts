import type { PresenceMember, ServerFrame } from '@heartbeat/protocol';
import type { Observable } from 'rxjs';
import type { ClientFeature, ClientFeatureHost, HeartbeatClientFeature } from './client-feature.js';
import { PresenceMessages } from './feature.messages.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { PresenceRoster } from './presence-roster.js';
import { refusesTopic } from './topic-refusals.js';

/** What `presence$()` runs on once withPresence() is installed. */
export interface PresenceFeature extends ClientFeature {
  observe(topic: string): Observable<readonly PresenceMember[]>;
}

/**
 * `presence$(topic)`: who is in a topic (docs/client.md#presence), from the server's `presence`
 * snapshot and its `join` and `leave` frames, kept across reconnects.
 */
export function withPresence(): HeartbeatClientFeature<'presence'> {
  return { kind: 'presence', install: (host) => new Presence(host) };
}

class Presence implements PresenceFeature {
  private readonly roster: PresenceRoster;

  constructor(host: ClientFeatureHost) {
    this.roster = new PresenceRoster(host.topics);
  }

  observe(topic: string): Observable<readonly PresenceMember[]> {
    return this.roster.observe(topic);
  }

  /**
   * The members' frames; and an `error` naming an observed topic with a code that does not refuse
   * the topic itself refuses its presence alone (its events still flow). That error is still told.
   */
  frame(frame: ServerFrame): boolean {
    if (frame.type === 'presence' || frame.type === 'join' || frame.type === 'leave') {
      this.roster.onFrame(frame);
      return true;
    }
    if (frame.type !== 'error' || frame.ref === undefined) return false;
    const { code, ref, message } = frame;
    if (!refusesTopic(code)) {
      this.roster.refuse(ref, new HeartbeatTopicError(code, ref, PresenceMessages.presenceRefused(ref, code, message)));
    }
    return false;
  }
}
