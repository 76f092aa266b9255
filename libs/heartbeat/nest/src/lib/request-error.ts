import { type ErrorFrame, ProtocolErrorCode } from '@heartbeat/protocol';
import { BadRequestException, ForbiddenException, HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { HeartbeatMessages } from './core/heartbeat.messages.js';

/** The `error` frame a failed request is answered with; `unexpected` when it is a bug to log (`internal_error`). */
export interface RequestError {
  readonly error: Omit<ErrorFrame, 'type'>;
  readonly unexpected: boolean;
}

/**
 * What a request handler's exception (or its guard's, pipe's, interceptor's, once no exception
 * filter answered it) tells the client (docs/protocol.md#request-and-result): `invalid_request` for
 * a BadRequestException (what ValidationPipe throws: `details` are its messages), `forbidden` for a
 * ForbiddenException (what a guard returning false throws), `request_failed` for a WsException
 * (`message` and `details` from its error) or another HttpException, and `internal_error`, with a
 * sentence that tells nothing of the server, for anything else.
 */
export function requestError(exception: unknown, topic: string, requestId: string): RequestError {
  const ref = requestId;
  if (exception instanceof BadRequestException) {
    const messages = messagesOf(exception);
    const error = { code: ProtocolErrorCode.InvalidRequest, message: HeartbeatMessages.requestInvalid(topic, messages), ref, details: messages };
    return { error, unexpected: false };
  }
  if (exception instanceof ForbiddenException) {
    return { error: { code: ProtocolErrorCode.Forbidden, message: HeartbeatMessages.requestForbidden(topic, exception.message), ref }, unexpected: false };
  }
  if (exception instanceof WsException) {
    const cause = exception.getError();
    if (typeof cause === 'string') return { error: { code: ProtocolErrorCode.RequestFailed, message: cause, ref }, unexpected: false };
    return { error: { code: ProtocolErrorCode.RequestFailed, message: messageOf(cause, topic), ref, details: cause }, unexpected: false };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const details = typeof response === 'object' ? { details: response } : {};
    return { error: { code: ProtocolErrorCode.RequestFailed, message: exception.message, ref, ...details }, unexpected: false };
  }
  return { error: { code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.requestInternalError(topic), ref }, unexpected: true };
}

/** A BadRequestException's messages: ValidationPipe's list, or the one message it was made with. */
function messagesOf(exception: BadRequestException): string[] {
  const response = exception.getResponse();
  const message = typeof response === 'object' && 'message' in response ? response.message : exception.message;
  return Array.isArray(message) ? message.map(String) : [String(message)];
}

/** The `message` of a WsException made with an object: its own `message` when it has one. */
function messageOf(cause: object, topic: string): string {
  return 'message' in cause && typeof cause.message === 'string' ? cause.message : HeartbeatMessages.requestFailed(topic);
}
