import { encodeFrame, topicNameProblem, type MessageFrame, type ServerFrame } from '@heartbeat/protocol';
import type { ClientFeature, ClientFeatureHost, HeartbeatClientFeature } from './client-feature.js';
import * as ClientMessages from './client.messages.js';
import { OutboxMessages } from './feature.messages.js';
import { HeartbeatSendError } from './heartbeat-send-error.js';
import { clientIdPrefix, messageId } from './message-id.js';
import { DEFAULT_OUTBOX_LIMITS, Outbox, type OutboxLimits } from './outbox.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';

/** What `send()` runs on once withOutbox() is installed. */
export interface OutboxFeature extends ClientFeature {
  send(topic: string | undefined, data: unknown): Promise<void>;
}

/**
 * `send()` with acknowledgements (docs/client.md#messages-send-and-acknowledgements): messages wait
 * in a bounded outbox while the connection is down, go out after the next welcome and its
 * subscriptions, and are written again with the same id after a reconnect until the server's `ack`.
 */
export function withOutbox(limits?: Partial<OutboxLimits>): HeartbeatClientFeature<'outbox'> {
  const resolved = resolveOutboxLimits(limits);
  return { kind: 'outbox', install: (host) => new OutboxSending(host, resolved) };
}

export function resolveOutboxLimits(limits: Partial<OutboxLimits> | undefined): OutboxLimits {
  const resolved = { ...DEFAULT_OUTBOX_LIMITS };
  for (const name of ['maxMessages', 'maxBytes'] as const) {
    const value = limits?.[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new HeartbeatClientOptionsError(OutboxMessages.outboxOptionInvalid(name, value));
    }
    resolved[name] = value;
  }
  return resolved;
}

class OutboxSending implements OutboxFeature {
  private readonly outbox: Outbox;
  private readonly idPrefix: string;
  private messageCount = 0;
  private closed = false;

  constructor(
    private readonly host: ClientFeatureHost,
    limits: OutboxLimits,
  ) {
    this.outbox = new Outbox(limits);
    this.idPrefix = clientIdPrefix(host);
  }

  send(topic: string | undefined, data: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new HeartbeatSendError('destroyed', ClientMessages.destroyed()));
    if (data === undefined) return Promise.reject(new HeartbeatSendError('invalid-data', OutboxMessages.sendDataMissing()));
    const problem = topic === undefined ? undefined : topicNameProblem(topic);
    if (problem !== undefined) return Promise.reject(new HeartbeatSendError('invalid-topic', ClientMessages.topicInvalid(problem)));
    this.messageCount += 1;
    const id = messageId(this.idPrefix, this.messageCount);
    const frame: MessageFrame = topic === undefined ? { type: 'message', id, data } : { type: 'message', id, topic, data };
    let text: string;
    try {
      text = encodeFrame(frame);
    } catch (error) {
      return Promise.reject(new HeartbeatSendError('invalid-data', OutboxMessages.sendDataNotJson(String(error))));
    }
    const before = this.outbox.size;
    const acked = this.outbox.add(id, text);
    if (this.outbox.size === before) return acked; // refused: the outbox is full
    this.flush();
    this.host.patch({ pendingMessages: this.outbox.size });
    return acked;
  }

  established(): void {
    this.flush();
  }

  frame(frame: ServerFrame): boolean {
    if (frame.type === 'ack') {
      if (this.outbox.ack(frame.id)) {
        this.flush();
        this.host.patch({ pendingMessages: this.outbox.size });
      }
      return true;
    }
    // A server that names the refused message's id in `ref` rejects that send() alone.
    if (frame.type !== 'error' || frame.ref === undefined) return false;
    const { code, message } = frame;
    if (!this.outbox.fail(frame.ref, new HeartbeatSendError('refused', OutboxMessages.messageRefused(code, message)))) return false;
    this.host.patch({ pendingMessages: this.outbox.size });
    this.host.emit('error', { message: ClientMessages.serverError(code, message), code, kind: null, at: this.host.options.clock.now() });
    return true;
  }

  /** Messages in flight wait for the next connection (resent with the same id). */
  connectionEnded(): void {
    const requeued = this.outbox.requeue();
    if (requeued > 0) this.host.options.log(`${requeued} unacknowledged messages will be sent again after the next welcome`);
  }

  stopped(): void {
    this.cancelAll(new HeartbeatSendError('disconnected', OutboxMessages.sendCancelledByDisconnect()));
  }

  destroyed(): void {
    this.cancelAll(new HeartbeatSendError('destroyed', OutboxMessages.sendCancelledByDestroy()));
    this.closed = true;
  }

  private cancelAll(error: HeartbeatSendError): void {
    if (this.outbox.size === 0) return;
    this.outbox.rejectAll(error);
    this.host.patch({ pendingMessages: 0 });
  }

  /** Writes the waiting messages, in order, once the connection has its welcome and subscriptions. */
  private flush(): void {
    const socket = this.host.openSocket();
    if (socket) this.outbox.flush((text) => socket.sendText(text));
  }
}
