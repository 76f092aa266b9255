import type { ClientFeature, HeartbeatClientFeature } from './client-feature.js';
import { NodeDiagnosticsMessages } from './feature.messages.js';
import { endpoint, errorDetail, type Endpoint, type FailureDiagnosis } from './connection-failure.js';

/** ws reports an HTTP answer other than 101 only in its error's text (it has no status field). */
const UNEXPECTED_RESPONSE = /Unexpected server response: (\d{3})/;
const HOST_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * Names the cause of a failed first connection from what Node's `ws` reports: a refused port, an
 * unknown host, the HTTP status of a refused upgrade (docs/client.md#troubleshooting-the-first-connection).
 * A browser reports none of these, so browser apps leave it out; without it a Node client's message
 * lists the usual causes together with ws's own text.
 */
export function withNodeDiagnostics(): HeartbeatClientFeature<'nodeDiagnostics'> {
  const diagnostics: ClientFeature = { diagnose: nodeFailureDiagnosis };
  return { kind: 'nodeDiagnostics', install: () => diagnostics };
}

/** The cause of a failure before the socket opened, from ws's `error` event; null when it names none. */
export function nodeFailureDiagnosis(errorEvent: unknown, url: string): FailureDiagnosis | null {
  const { code, text } = errorDetail(errorEvent);
  const where = endpoint(url);
  const status = UNEXPECTED_RESPONSE.exec(text)?.[1];
  if (status !== undefined) return httpAnswer(Number(status), where);
  if (code === 'ECONNREFUSED') return { kind: 'connection-refused', message: NodeDiagnosticsMessages.connectionRefused(where.url, where.host) };
  if (code !== null && HOST_NOT_FOUND.has(code)) return { kind: 'host-not-found', message: NodeDiagnosticsMessages.hostNotFound(where.hostname, code) };
  if (code === 'ECONNRESET') return { kind: 'upgrade-dropped', message: NodeDiagnosticsMessages.upgradeDropped(where.url, where.path) };
  if (code === null) return null;
  const detail = text.includes(code) ? text : text ? `${code}: ${text}` : code;
  return { kind: 'network', message: NodeDiagnosticsMessages.networkFailed(where.url, detail) };
}

function httpAnswer(httpStatus: number, where: Endpoint): FailureDiagnosis {
  if (httpStatus === 404) return { kind: 'not-found', message: NodeDiagnosticsMessages.notFound(where.url, where.path), httpStatus };
  if (httpStatus === 403) return { kind: 'origin-refused', message: NodeDiagnosticsMessages.originRefused(where.url), httpStatus };
  const message = httpStatus === 503 ? NodeDiagnosticsMessages.serviceUnavailable(where.url) : NodeDiagnosticsMessages.httpStatus(where.url, httpStatus);
  return { kind: 'http-status', message, httpStatus };
}
