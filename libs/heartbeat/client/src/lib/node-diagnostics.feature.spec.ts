import { describe, expect, it } from '@jest/globals';
import { NodeDiagnosticsMessages } from './feature.messages.js';
import { ConnectionFailure } from './connection-failure.js';
import { nodeFailureDiagnosis, withNodeDiagnostics } from './node-diagnostics.feature.js';

const URL = 'ws://127.0.0.1:4000/ws';
/** What ws's ErrorEvent carries: the Error (with its code, if any) and its text. */
const wsError = (message: string, code?: string) => ({ error: Object.assign(new Error(message), code ? { code } : {}), message });
/** The failure the client makes of `event` with withNodeDiagnostics() installed. */
const failure = (event: unknown, url: string) => ConnectionFailure.beforeOpen(event, url, null, nodeFailureDiagnosis(event, url));

describe('withNodeDiagnostics', () => {
  it('makes the node diagnostics feature, which diagnoses with nodeFailureDiagnosis', () => {
    const feature = withNodeDiagnostics();

    expect(feature.kind).toBe('nodeDiagnostics');
    expect(feature.install({} as never).diagnose).toBe(nodeFailureDiagnosis);
  });
});

describe('nodeFailureDiagnosis', () => {
  it('names a refused connection (ECONNREFUSED) and asks whether the server runs at that URL', () => {
    const diagnosed = failure(wsError('connect ECONNREFUSED 127.0.0.1:4000', 'ECONNREFUSED'), URL);

    expect(diagnosed).toMatchObject({ kind: 'connection-refused', code: 1006, wasClean: false, reaction: 'reconnect', httpStatus: null });
    expect(diagnosed.message).toBe(
      'Connection refused by 127.0.0.1:4000 (ECONNREFUSED): is the Heartbeat server running at ws://127.0.0.1:4000/ws? Start it, or fix the host and port in the url.',
    );
  });

  it('reads the code where the text is empty (an AggregateError of several addresses)', () => {
    const aggregate = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });

    expect(failure({ error: aggregate, message: '' }, 'ws://localhost:4000/ws').kind).toBe('connection-refused');
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('names a host that cannot be resolved (%s)', (code) => {
    const diagnosed = failure(wsError(`getaddrinfo ${code} monitr.internal`, code), 'ws://monitr.internal:3000/ws');

    expect(diagnosed.kind).toBe('host-not-found');
    expect(diagnosed.message).toBe(NodeDiagnosticsMessages.hostNotFound('monitr.internal', code));
  });

  it('names an HTTP 404 and the path to check', () => {
    const diagnosed = failure(wsError('Unexpected server response: 404'), 'ws://127.0.0.1:4000/socket');

    expect(diagnosed).toMatchObject({ kind: 'not-found', httpStatus: 404, code: 1006, reaction: 'reconnect' });
    expect(diagnosed.message).toBe(NodeDiagnosticsMessages.notFound('ws://127.0.0.1:4000/socket', '/socket'));
    expect(diagnosed.message).toContain('"/ws"');
  });

  it('names an upgrade the server dropped without an HTTP answer (socket hang up) as a path to check', () => {
    const diagnosed = failure(wsError('socket hang up', 'ECONNRESET'), 'ws://127.0.0.1:4000/socket');

    expect(diagnosed.kind).toBe('upgrade-dropped');
    expect(diagnosed.message).toBe(NodeDiagnosticsMessages.upgradeDropped('ws://127.0.0.1:4000/socket', '/socket'));
  });

  it("names a refused origin (HTTP 403) and the server's allowedOrigins", () => {
    const diagnosed = failure(wsError('Unexpected server response: 403'), URL);

    expect(diagnosed).toMatchObject({ kind: 'origin-refused', httpStatus: 403 });
    expect(diagnosed.message).toBe(NodeDiagnosticsMessages.originRefused(URL));
    expect(diagnosed.message).toContain('allowedOrigins');
    expect(diagnosed.message).toContain('a Node client sends no Origin header');
  });

  it.each([
    [503, NodeDiagnosticsMessages.serviceUnavailable(URL)],
    [502, NodeDiagnosticsMessages.httpStatus(URL, 502)],
    [401, NodeDiagnosticsMessages.httpStatus(URL, 401)],
  ])('names any other HTTP status (%i)', (status, message) => {
    const diagnosed = failure(wsError(`Unexpected server response: ${status}`), URL);

    expect(diagnosed).toMatchObject({ kind: 'http-status', httpStatus: status, message });
  });

  it('passes on any other socket error with its code', () => {
    const diagnosed = failure(wsError('connect ETIMEDOUT 10.0.0.1:4000', 'ETIMEDOUT'), 'ws://10.0.0.1:4000/ws');

    expect(diagnosed.kind).toBe('network');
    expect(diagnosed.message).toBe(NodeDiagnosticsMessages.networkFailed('ws://10.0.0.1:4000/ws', 'connect ETIMEDOUT 10.0.0.1:4000'));
  });

  it('leaves the query out of the message, as it may carry a credential', () => {
    const diagnosed = failure(wsError('Unexpected server response: 404'), 'ws://127.0.0.1:4000/sock?token=secret');

    expect(diagnosed.message).not.toContain('secret');
    expect(diagnosed.message).toContain('ws://127.0.0.1:4000/sock');
  });

  it('names nothing for an event without a code or an HTTP status (a browser\'s)', () => {
  expect(nodeFailureDiagnosis({ type: 'error' }, URL)).toBeNull();
  expect(nodeFailureDiagnosis({ message: 'Received network error or non-101 status code.' }, URL)).toBeNull();
  });
});
