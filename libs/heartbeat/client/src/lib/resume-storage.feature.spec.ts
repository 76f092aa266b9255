import { describe, expect, it } from '@jest/globals';
import { ResumeMessages } from './feature.messages.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';
import { withResumeStorage } from './resume-storage.feature.js';

describe('withResumeStorage', () => {
  it('makes the resume storage feature, with a storage of its own or the default', () => {
    expect(withResumeStorage().kind).toBe('resumeStorage');
    expect(withResumeStorage({ storage: { getItem: () => null, setItem: () => undefined }, broadcastChannel: false }).kind).toBe('resumeStorage');
  });

  it('refuses a storage without getItem and setItem', () => {
    expect(() => withResumeStorage({ storage: { getItem: () => null } as never })).toThrow(
      new HeartbeatClientOptionsError(ResumeMessages.persistenceInvalid()),
    );
  });

  it('refuses a broadcastChannel that is not a factory', () => {
    expect(() => withResumeStorage({ broadcastChannel: {} as never })).toThrow(new HeartbeatClientOptionsError(ResumeMessages.broadcastChannelInvalid()));
  });
});
