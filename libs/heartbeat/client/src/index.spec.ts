import * as client from './index.js';

describe('@heartbeat/client', () => {
  it('exports exactly the public runtime API', () => {
    expect(Object.keys(client).sort()).toEqual(
      [
        'ConnectionFailure',
        'DEFAULT_REQUEST_TIMEOUT_MS',
        'DEFAULT_TIMING',
        'HeartbeatClient',
        'HeartbeatClientOptionsError',
        'HeartbeatRequestError',
        'HeartbeatSendError',
        'HeartbeatTopicError',
        'NETWORK_PRESETS',
        'RESUME_KEY_PREFIX',
        'STATUS_OF_PHASE',
        'TIMING_OPTION_NAMES',
        'browserConnectivitySignals',
        'isValidTopicName',
        'timingOptionProblem',
        'topicNameProblem',
        'withNodeDiagnostics',
        'withOutbox',
        'withPresence',
        'withRequests',
        'withResumeStorage',
        'withTokenRefresh',
      ].sort(),
    );
  });
});
