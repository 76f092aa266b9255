/**
 * Whose a connection is: the user `verifyToken` named (docs/server.md#identity). A connection whose
 * token check answered `true` (or that has no `verifyToken`) has none: it is anonymous.
 */
export interface HeartbeatIdentity {
  readonly userId: string;
  /** What the token said about the user (roles, tenant, …), for `authorize` and the declarative rules. */
  readonly claims: Readonly<Record<string, unknown>>;
}
