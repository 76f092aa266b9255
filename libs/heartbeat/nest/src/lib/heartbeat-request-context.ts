/**
 * What a request handler knows of the request besides its data (docs/server.md#requestresponse-handlers):
 * its second argument by default, `@ConnectedSocket()` when it names its arguments, and
 * `switchToWs().getClient()` in guards, interceptors and exception filters (`getData()` is the data,
 * `getPattern()` the topic).
 */
export interface HeartbeatRequestContext {
  /** The connection the request came on. */
  readonly connectionId: string;
  /** Its session (the same across the reconnects that resume it). */
  readonly sessionId: string;
  /** Whose the connection is (what `verifyToken` named); undefined for an anonymous connection. */
  readonly userId: string | undefined;
  /** What the token said about the user; empty for an anonymous connection. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The topic the request was sent to: the handler's topic. */
  readonly topic: string;
  /** The request's id, which its `result` or `error` (`ref`) carries back. */
  readonly requestId: string;
}
