import { closeCodeInfo, CloseCode, type CloseReaction } from '@heartbeat/protocol';
import { ClientMessages } from './client.messages.js';

/**
 * Why an attempt failed or an established connection ended. Carries the close code the retry
 * policy reacts to; failures that never reached the server (token provider, connect timeout)
 * count as abnormal closes and are retried on the backoff schedule.
 */
export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure';

  private constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
    readonly wasClean: boolean,
    readonly reaction: CloseReaction,
  ) {
    super(message);
  }

  static closed(code: number, reason: string, wasClean: boolean, established: boolean): ConnectionFailure {
    const info = closeCodeInfo(code);
    const message = established
      ? ClientMessages.connectionClosed(code, info.meaning, reason)
      : ClientMessages.closedBeforeWelcome(code, reason);
    return new ConnectionFailure(message, code, reason, wasClean, info.reaction);
  }

  static heartbeatTimeout(missed: number, silentMs: number): ConnectionFailure {
    const message = ClientMessages.heartbeatTimeout(missed, silentMs);
    return new ConnectionFailure(message, CloseCode.HeartbeatTimeout, 'heartbeat timeout', false, 'reconnect');
  }

  static connectTimeout(ms: number): ConnectionFailure {
    return ConnectionFailure.local(ClientMessages.connectTimedOut(ms));
  }

  static tokenProvider(cause: unknown): ConnectionFailure {
    return ConnectionFailure.local(ClientMessages.tokenProviderFailed(describe(cause)));
  }

  static socketCreate(cause: unknown): ConnectionFailure {
    return ConnectionFailure.local(ClientMessages.socketCreateFailed(describe(cause)));
  }

  private static local(message: string): ConnectionFailure {
    return new ConnectionFailure(message, CloseCode.Abnormal, '', false, 'reconnect');
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
