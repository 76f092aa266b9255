import type { MessageFrame } from '@heartbeat/protocol';
import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { ConnectionRegistry } from './connection-registry.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatClientMessage } from './heartbeat-events.js';

/**
 * Client → server `message` frames: handed to the application once per id within the session, then
 * acknowledged. A duplicate (a resend after a reconnect whose `ack` was lost) is acknowledged again
 * but not handed over again.
 */
@Injectable()
export class MessageInbox {
  private readonly subject = new Subject<HeartbeatClientMessage>();
  readonly messages$ = this.subject.asObservable();

  constructor(private readonly registry: ConnectionRegistry) {}

  receive(connection: HeartbeatConnection, frame: MessageFrame): void {
    if (connection.session?.rememberMessage(frame.id) === false) {
      this.registry.counters.duplicateMessages++;
    } else {
      this.subject.next({
        connectionId: connection.id,
        sessionId: connection.sessionId ?? '',
        id: frame.id,
        topic: frame.topic,
        data: frame.data,
      });
    }
    connection.send({ type: 'ack', id: frame.id });
  }
}
