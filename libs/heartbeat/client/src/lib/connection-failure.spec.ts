import { CLOSE_CODE_TABLE, CloseCode } from '@heartbeat/protocol';
import * as ClientMessages from './client.messages.js';
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
    ])('reacts to %i with %s (docs/protocol.md, Close codes)', (code, reaction) => {
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
      const failure = ConnectionFailure.closed(CloseCode.HandshakeTimeout, '', true, false);

      expect(failure.message).toBe('The server closed the connection before welcome (code 4008).');
      expect(failure.kind).toBe('closed-before-welcome');
    });

    it('names a token rejected before welcome (4001), with what to check', () => {
      const failure = ConnectionFailure.closed(CloseCode.Unauthorized, 'unauthorized: the token is missing, invalid or expired', true, false);

      expect(failure.message).toBe(ClientMessages.tokenRejected('unauthorized: the token is missing, invalid or expired'));
      expect(failure.message).toBe(
        'The server rejected the token (4001: unauthorized: the token is missing, invalid or expired): check the token, or what the token provider returns.',
      );
      expect(failure.kind).toBe('unauthorized');
    });

    it('gives every 4001 the kind unauthorized, and other closes of a connection the kind closed', () => {
      expect(ConnectionFailure.closed(CloseCode.Unauthorized, '', true, true).kind).toBe('unauthorized');
      expect(ConnectionFailure.closed(CloseCode.Kicked, '', true, true).kind).toBe('closed');
      expect(ConnectionFailure.closed(CloseCode.Abnormal, '', false, true).httpStatus).toBeNull();
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

  describe('.beforeOpen', () => {
    const URL = 'ws://127.0.0.1:4000/ws';
    /** What ws's ErrorEvent carries: the Error (with its code, if any) and its text. */
    const wsError = (message: string, code?: string) => ({ error: Object.assign(new Error(message), code ? { code } : {}), message });

    it("lists the causes in a browser, whose error event says nothing, with the page's origin", () => {
      const failure = ConnectionFailure.beforeOpen({ type: 'error' }, 'ws://localhost:3000/ws', 'http://localhost:4200');

      expect(failure).toMatchObject({ kind: 'upgrade-failed', code: 1006, reaction: 'reconnect', httpStatus: null });
      expect(failure.message).toBe(
        'The WebSocket upgrade at ws://localhost:3000/ws failed before the connection opened (the browser does not say why). ' +
          `Check: is the Heartbeat server running at that URL (behind a dev server's proxy, such as ng serve's, at the proxy's target: the dev server's terminal shows the proxy's error); is the path right (e.g. "/ws"); ` +
          "does the server's `allowedOrigins` list this page's origin (http://localhost:4200); " +
          'is a proxy in the way refusing WebSocket upgrades. The server logs refused origins and unknown paths.',
      );
    });

    it('leaves out the page origin where there is none, and keeps a text that names no known cause', () => {
      expect(ConnectionFailure.beforeOpen(null, URL).message).toBe(ClientMessages.upgradeFailed(URL, null, null));
      expect(ConnectionFailure.beforeOpen({ message: 'Received network error or non-101 status code.' }, URL).message).toBe(
        ClientMessages.upgradeFailed(URL, null, 'Received network error or non-101 status code.'),
      );
    });

    it('keeps the text of an event that names a cause, for Node clients without withNodeDiagnostics()', () => {
      const failure = ConnectionFailure.beforeOpen(wsError('connect ECONNREFUSED 127.0.0.1:4000', 'ECONNREFUSED'), URL);

      expect(failure).toMatchObject({ kind: 'upgrade-failed', httpStatus: null });
      expect(failure.message).toBe(ClientMessages.upgradeFailed(URL, null, 'connect ECONNREFUSED 127.0.0.1:4000'));
    });

    it('takes the kind, message and status of a diagnosis', () => {
      const failure = ConnectionFailure.beforeOpen(null, URL, null, { kind: 'not-found', message: 'Nothing at /ws.', httpStatus: 404 });

      expect(failure).toMatchObject({ kind: 'not-found', message: 'Nothing at /ws.', httpStatus: 404, code: 1006, reaction: 'reconnect' });
    });
  });

  describe('.connectTimeout', () => {
    it.each([
      ['token', 'token-provider', ClientMessages.tokenProviderTimedOut(2000)],
      ['opening', 'connect-timeout', ClientMessages.openTimedOut('ws://server.test/ws', 2000)],
      ['welcome', 'no-welcome', ClientMessages.noWelcome('ws://server.test/ws', 2000)],
    ] as const)('names what was still missing at stage %s', (stage, kind, message) => {
      expect(ConnectionFailure.connectTimeout(2000, stage, 'ws://server.test/ws?x=1')).toMatchObject({ kind, message, code: 1006, reaction: 'reconnect' });
    });

    it('says a socket that opened without a welcome is probably not a Heartbeat endpoint', () => {
      expect(ConnectionFailure.connectTimeout(2000, 'welcome', 'ws://server.test/ws').message).toContain('does not look like a Heartbeat endpoint');
    });
  });

  describe('failures that never reached the server', () => {
    it.each([
      ['connectTimeout', ConnectionFailure.connectTimeout(10_000, 'opening', 'ws://server.test/ws'), ClientMessages.openTimedOut('ws://server.test/ws', 10_000)],
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
