import { ProtocolErrorCode } from '@heartbeat/protocol';
import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { requestError } from './request-error.js';

describe('requestError', () => {
  it('answers a BadRequestException made with one message as invalid_request with that message', () => {
    expect(requestError(new BadRequestException('id is missing'), 'ack', 'r-1')).toEqual({
      error: { code: ProtocolErrorCode.InvalidRequest, message: HeartbeatMessages.requestInvalid('ack', ['id is missing']), ref: 'r-1', details: ['id is missing'] },
      unexpected: false,
    });
  });

  it("answers a guard's own ForbiddenException as forbidden with its reason", () => {
    expect(requestError(new ForbiddenException('operators only'), 'ack', 'r-1').error).toEqual({
      code: ProtocolErrorCode.Forbidden,
      message: HeartbeatMessages.requestForbidden('ack', 'operators only'),
      ref: 'r-1',
    });
  });

  it('answers a WsException whose object has no message with a sentence, the object as details', () => {
    expect(requestError(new WsException({ alertId: 7 }), 'ack', 'r-1').error).toEqual({
      code: ProtocolErrorCode.RequestFailed,
      message: HeartbeatMessages.requestFailed('ack'),
      ref: 'r-1',
      details: { alertId: 7 },
    });
  });

  it('answers anything else as an unexpected internal_error that tells nothing of it', () => {
    expect(requestError('a thrown string', 'ack', 'r-1')).toEqual({
      error: { code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.requestInternalError('ack'), ref: 'r-1' },
      unexpected: true,
    });
  });
});
