import type { MessageFrame } from '@heartbeat/protocol';
import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatClientMessage } from './heartbeat-events.js';

/** Client → server `message` frames: handed to the application, then acknowledged. */
@Injectable()
export class MessageInbox {
  private readonly subject = new Subject<HeartbeatClientMessage>();
  readonly messages$ = this.subject.asObservable();

  receive(connection: HeartbeatConnection, frame: MessageFrame): void {
    this.subject.next({
      connectionId: connection.id,
      sessionId: connection.sessionId ?? '',
      id: frame.id,
      topic: frame.topic,
      data: frame.data,
    });
    connection.send({ type: 'ack', id: frame.id });
  }
}
