import { CLOSE_CODE_TABLE, CloseCode } from '@heartbeat/protocol';
import { ClientMessages } from './client.messages.js';
import { ConnectionFailure } from './connection-failure.js';

describe('ConnectionFailure', () => {
  describe('.closed', () => {
    it('is an Error named ConnectionFailure carrying the close details', () => {
      const failure = ConnectionFailure.closed(CloseCode.GoingAway, 'shutting down', true, true);

      expect(failure).toBeInstanceOf(Error);
      expect(failure).toBeInstanceOf(ConnectionFailure);
      expect(failure.name).toBe('ConnectionFailure');
      expect(failure).toMatchObject({ code: 1001, reason: 'shutting down', wasClean: true, reaction: 'reconnect-jittered' });
    });

    it.each([
      [1000, 'stay-closed'],
      [1001, 'reconnect-jittered'],
      [1012, 'reconnect-jittered'],
      [1006, 'reconnect'],
      [1011, 'reconnect'],
      [4000, 'reconnect'],
      [1009, 'reconnect'],
      [1013, 'reconnect-after-longest-backoff'],
      [4429, 'reconnect-after-longest-backoff'],
      [4001, 'refresh-token'],
      [4003, 'stay-closed-error'],
      [4008, 'reconnect'],
      [4400, 'stay-closed-error'],
    ])('reacts to %i with %s (SPEC §2)', (code, reaction) => {
      expect(ConnectionFailure.closed(code, '', false, true).reaction).toBe(reaction);
    });

    it('covers every code of the protocol\'s close-code table', () => {
      for (const [code, info] of CLOSE_CODE_TABLE) {
        expect(ConnectionFailure.closed(code, '', false, true).reaction).toBe(info.reaction);
      }
    });

    it.each([1005, 1015, 3000, 4999])('treats the unknown code %i as abnormal: reconnect', (code) => {
      expect(ConnectionFailure.closed(code, '', false, true).reaction).toBe('reconnect');
    });

    it('describes a close of an established connection with the code\'s meaning and the reason', () => {
      const failure = ConnectionFailure.closed(CloseCode.Kicked, 'maintenance', true, true);

      expect(failure.message).toBe(ClientMessages.connectionClosed(4003, CLOSE_CODE_TABLE.get(4003)!.meaning, 'maintenance'));
      expect(failure.message).toBe('Connection closed with 4003 (an administrator closed the connection): maintenance.');
    });

    it('leaves out an empty reason', () => {
      expect(ConnectionFailure.closed(CloseCode.Abnormal, '', false, true).message).toBe(
        'Connection closed with 1006 (the connection dropped without a close frame).',
      );
    });

    it('describes a close before welcome as such', () => {
      expect(ConnectionFailure.closed(CloseCode.Unauthorized, 'token expired', true, false).message).toBe(
        ClientMessages.closedBeforeWelcome(4001, 'token expired'),
      );
      expect(ConnectionFailure.closed(CloseCode.HandshakeTimeout, '', true, false).message).toBe(
        'The server closed the connection before welcome (code 4008).',
      );
    });

    it('keeps the same reaction before and after welcome', () => {
      expect(ConnectionFailure.closed(4001, '', true, false).reaction).toBe(ConnectionFailure.closed(4001, '', true, true).reaction);
    });
  });

  describe('.heartbeatTimeout', () => {
    it('is an unclean 4000 close that reconnects, with the counts in the message', () => {
      const failure = ConnectionFailure.heartbeatTimeout(3, 60_000.4);

      expect(failure).toMatchObject({ code: 4000, reason: 'heartbeat timeout', wasClean: false, reaction: 'reconnect', name: 'ConnectionFailure' });
      expect(failure.message).toBe(ClientMessages.heartbeatTimeout(3, 60_000.4));
      expect(failure.message).toContain('3 pings');
      expect(failure.message).toContain('60000 ms');
    });
  });

  describe('failures that never reached the server', () => {
    it.each([
      ['connectTimeout', ConnectionFailure.connectTimeout(10_000), ClientMessages.connectTimedOut(10_000)],
      ['tokenProvider (Error)', ConnectionFailure.tokenProvider(new Error('refresh failed')), ClientMessages.tokenProviderFailed('refresh failed')],
      ['tokenProvider (string)', ConnectionFailure.tokenProvider('offline'), ClientMessages.tokenProviderFailed('offline')],
      ['tokenProvider (undefined)', ConnectionFailure.tokenProvider(undefined), ClientMessages.tokenProviderFailed('undefined')],
      ['socketCreate', ConnectionFailure.socketCreate(new SyntaxError('bad url')), ClientMessages.socketCreateFailed('bad url')],
    ])('%s counts as an abnormal close (1006) and is retried', (_name, failure, message) => {
      expect(failure).toBeInstanceOf(ConnectionFailure);
      expect(failure).toMatchObject({ code: CloseCode.Abnormal, reason: '', wasClean: false, reaction: 'reconnect' });
      expect(failure.message).toBe(message);
    });
  });
});
