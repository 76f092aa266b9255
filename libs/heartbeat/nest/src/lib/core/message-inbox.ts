import type { MessageFrame } from '@heartbeat/protocol';
import { Subject } from 'rxjs';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import type { HeartbeatClientMessage } from './heartbeat-events.js';
import type { SessionRegistry } from './session-registry.js';

/**
 * Client → server `message` frames: handed to the application once per id within the session, then
 * acknowledged. A duplicate (a resend after a reconnect whose `ack` was lost) is acknowledged again
 * but not handed over again. The session's window is in its store (every node's, with Redis): a
 * message is remembered before it is handed over, so a resend after its node died is not handed
 * over twice (docs/scaling.md#sessions-across-nodes).
 */
export class MessageInbox {
  private readonly subject = new Subject<HeartbeatClientMessage>();
  readonly messages$ = this.subject.asObservable();

  constructor(
    private readonly sessions: Pick<SessionRegistry, 'rememberMessage'>,
    private readonly counters: HeartbeatCounters,
  ) {}

  /**
   * A connection's messages whose ids the store is still recording: each is handed over after the
   * one before it, whatever order the store answers in (a Redis Cluster client retries commands
   * each on its own).
   */
  private readonly inOrder = new WeakMap<HeartbeatConnection, Promise<unknown>>();

  /** Rejects when the session store could not tell whether the message is new: neither handed over nor acknowledged (the router answers `error`). */
  receive(connection: HeartbeatConnection, frame: MessageFrame): Promise<void> | void {
    const session = connection.session;
    if (!session) return this.deliver(connection, frame, true);
    const isNew = this.sessions.rememberMessage(session, frame.id);
    if (typeof isNew === 'boolean') return this.deliver(connection, frame, isNew);
    // Its rejection is handled below, perhaps only after the messages before it: not unhandled meanwhile.
    void isNew.catch(() => undefined);
    const before = this.inOrder.get(connection);
    const turn = before ? before.then(() => isNew) : isNew;
    const delivered = turn.then((fresh) => this.deliver(connection, frame, fresh));
    this.inOrder.set(connection, delivered.catch(() => undefined));
    return delivered;
  }

  private deliver(connection: HeartbeatConnection, frame: MessageFrame, isNew: boolean): void {
    if (!isNew) {
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
