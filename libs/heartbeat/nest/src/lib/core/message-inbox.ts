import type { MessageFrame } from '@heartbeat/protocol';
import { Subject } from 'rxjs';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import type { HeartbeatClientMessage } from './heartbeat-events.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/**
 * Client → server `message` frames: handed to the application once per id within the session, then
 * acknowledged. A duplicate (a resend after a reconnect whose `ack` was lost) is acknowledged again
 * but not handed over again.
 */
export class MessageInbox {
  private readonly subject = new Subject<HeartbeatClientMessage>();
  readonly messages$ = this.subject.asObservable();

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'messageDedupeWindow'>,
    private readonly counters: HeartbeatCounters,
  ) {}

  receive(connection: HeartbeatConnection, frame: MessageFrame): void {
    if (connection.session?.rememberMessage(frame.id, this.options.messageDedupeWindow) === false) {
      this.counters.duplicateMessage();
    } else {
      this.subject.next({
        connectionId: connection.id,
        sessionId: connection.sessionId ?? '',
        userId: connection.userId,
        id: frame.id,
        topic: frame.topic,
        data: frame.data,
      });
    }
    connection.send({ type: 'ack', id: frame.id });
  }
}
