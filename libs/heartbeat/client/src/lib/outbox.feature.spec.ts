import { describe, expect, it } from '@jest/globals';
import { OutboxMessages } from './feature.messages.js';
import { resolveOutboxLimits, withOutbox } from './outbox.feature.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';

describe('withOutbox', () => {
  it('makes the outbox feature', () => {
    expect(withOutbox().kind).toBe('outbox');
  });

  it.each([
    ['maxMessages', 0],
    ['maxMessages', 1.5],
    ['maxBytes', -1],
    ['maxBytes', '1000'],
  ])('refuses %s = %j at once, naming it', (name, value) => {
    expect(() => withOutbox({ [name]: value } as never)).toThrow(new HeartbeatClientOptionsError(OutboxMessages.outboxOptionInvalid(name, value)));
  });
});

describe('resolveOutboxLimits', () => {
  it('bounds the outbox to 1000 messages and 1 MiB by default', () => {
    expect(resolveOutboxLimits(undefined)).toEqual({ maxMessages: 1000, maxBytes: 1_048_576 });
  });

  it('takes one bound and keeps the default of the other', () => {
    expect(resolveOutboxLimits({ maxMessages: 10 })).toEqual({ maxMessages: 10, maxBytes: 1_048_576 });
  });
});
