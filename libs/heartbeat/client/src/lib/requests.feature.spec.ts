import { describe, expect, it } from '@jest/globals';
import { RequestMessages } from './feature.messages.js';
import { withRequests } from './requests.feature.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';

describe('withRequests', () => {
  it('makes the requests feature, with or without a timeout', () => {
    expect(withRequests().kind).toBe('requests');
    expect(withRequests({ timeout: 2_500 }).kind).toBe('requests');
  });

  it.each([[0], [-1], [Number.NaN], ['5000']])('refuses timeout = %j at once, naming it', (value) => {
    expect(() => withRequests({ timeout: value as never })).toThrow(new HeartbeatClientOptionsError(RequestMessages.requestTimeoutOptionInvalid(value)));
  });
});
