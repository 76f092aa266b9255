import * as protocol from './index.js';

describe('@heartbeat/protocol', () => {
  it('exports exactly the public runtime API', () => {
    expect(Object.keys(protocol).sort()).toEqual(
      [
        'CLIENT_DEFAULTS',
        'CLOSE_CODE_TABLE',
        'CloseCode',
        'DEFAULT_BACKOFF_MULTIPLIER',
        'DEFAULT_CLIENT_PING_INTERVAL_MS',
        'DEFAULT_CONNECT_TIMEOUT_MS',
        'DEFAULT_DRAIN_WINDOW_MS',
        'DEFAULT_HANDSHAKE_TIMEOUT_MS',
        'DEFAULT_HEARTBEAT_INTERVAL_MS',
        'DEFAULT_HEARTBEAT_TIMEOUT_MS',
        'DEFAULT_MAX_MISSED_PINGS',
        'DEFAULT_MAX_MISSED_PONGS',
        'DEFAULT_MAX_PAYLOAD_BYTES',
        'DEFAULT_MAX_PROTOCOL_VIOLATIONS',
        'DEFAULT_MAX_RECONNECT_ATTEMPTS',
        'DEFAULT_MAX_RECONNECT_INTERVAL_MS',
        'DEFAULT_PING_INTERVAL_MS',
        'DEFAULT_PONG_TIMEOUT_MS',
        'DEFAULT_RECONNECT_INTERVAL_MS',
        'DEFAULT_RECONNECT_JITTER',
        'DEFAULT_REPLAY_MAX_AGE_MS',
        'DEFAULT_REPLAY_MAX_EVENTS',
        'DEFAULT_SUSPENDED_RETRY_INTERVAL_MS',
        'DEFAULT_WS_PATH',
        'MAX_ID_LENGTH',
        'MAX_TIMESTAMP_LENGTH',
        'MAX_TOKEN_LENGTH',
        'MAX_TOPIC_LENGTH',
        'ProtocolErrorCode',
        'SERVER_HEARTBEAT_DEFAULTS',
        'USER_TOPIC_SEPARATOR',
        'backoffDelay',
        'clientFrameSchemas',
        'closeCodeInfo',
        'encodeFrame',
        'eventFrameParts',
        'formatRetryHint',
        'isCounter',
        'isEpochMs',
        'isText',
        'isValidTopicName',
        'joinEventFrame',
        'longestBackoffDelay',
        'parseClientFrame',
        'parseRetryHint',
        'parseServerFrame',
        'readPongBytes',
        'serverFrameSchemas',
        'topicNameProblem',
        'topicUser',
        'userTopic',
      ].sort(),
    );
  });

  it('exports the error codes of error frames', () => {
    expect(protocol.ProtocolErrorCode).toEqual({
      BinaryFrame: 'binary_frame',
      InvalidJson: 'invalid_json',
      InvalidFrame: 'invalid_frame',
      UnknownType: 'unknown_type',
      HandshakeRequired: 'handshake_required',
      AlreadyAuthenticated: 'already_authenticated',
      InternalError: 'internal_error',
      InvalidTopic: 'invalid_topic',
      Forbidden: 'forbidden',
      TooManyTopics: 'too_many_topics',
      NoHandler: 'no_handler',
      InvalidRequest: 'invalid_request',
      RequestFailed: 'request_failed',
      PresenceDisabled: 'presence_disabled',
    });
  });

  it('parses a frame through the package entry point', () => {
    const result = protocol.parseClientFrame(protocol.encodeFrame({ type: 'subscribe', topic: 'alerts', since: 3 }));

    expect(result).toEqual({ ok: true, frame: { type: 'subscribe', topic: 'alerts', since: 3 } });
  });
});
