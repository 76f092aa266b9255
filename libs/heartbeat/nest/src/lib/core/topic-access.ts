import { ProtocolErrorCode, topicNameProblem, topicUser } from '@heartbeat/protocol';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatIdentity } from './heartbeat-identity.js';
import type { AuthorizeTopic, TopicAction, TopicRule } from './heartbeat-options.interface.js';
import { TopicPattern } from './topic-pattern.js';

/** What {@link TopicAccess} decided: allowed, or refused with the error code and sentence the client is answered with. */
export type AccessDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: typeof ProtocolErrorCode.InvalidTopic | typeof ProtocolErrorCode.Forbidden | typeof ProtocolErrorCode.InternalError;
      readonly message: string;
      /** What `authorize` threw, for the log (internal_error only). */
      readonly error?: unknown;
    };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });
const ACTIONS: readonly TopicAction[] = ['subscribe', 'publish'];

/**
 * Who may do what on which topic (docs/server.md#topic-authorization). Built in, before the
 * module's `authorize`: the name must be a topic name (`invalid_topic`), and a user topic
 * `<topic>#<user>` is open to that user alone, whatever `authorize` says (it is not asked). Every
 * other topic is up to `authorize` (absent: allowed).
 */
export class TopicAccess {
  constructor(private readonly authorize: AuthorizeTopic | undefined) {}

  /** Synchronous unless `authorize` answers with a promise; never throws nor rejects. */
  check(identity: HeartbeatIdentity | undefined, topic: string, action: TopicAction): AccessDecision | Promise<AccessDecision> {
    const problem = topicNameProblem(topic);
    if (problem) return { allowed: false, code: ProtocolErrorCode.InvalidTopic, message: problem };
    const owner = topicUser(topic);
    if (owner !== undefined) {
      return owner === identity?.userId ? ALLOWED : { allowed: false, code: ProtocolErrorCode.Forbidden, message: HeartbeatMessages.userTopicForbidden(topic) };
    }
    if (!this.authorize) return ALLOWED;
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.authorize(identity, topic, action);
    } catch (error) {
      return failed(topic, error);
    }
    if (verdict instanceof Promise) return verdict.then((allowed) => decided(allowed, topic, action), (error: unknown) => failed(topic, error));
    return decided(verdict, topic, action);
  }
}

/** Only `true` allows: anything else `authorize` answers refuses. */
function decided(verdict: unknown, topic: string, action: TopicAction): AccessDecision {
  return verdict === true ? ALLOWED : { allowed: false, code: ProtocolErrorCode.Forbidden, message: HeartbeatMessages.topicForbidden(topic, action) };
}

function failed(topic: string, error: unknown): AccessDecision {
  return { allowed: false, code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.authorizeFailed(topic), error };
}

interface CompiledRule {
  readonly pattern: TopicPattern;
  readonly actions: readonly TopicAction[];
  readonly allows: (identity: HeartbeatIdentity | undefined) => boolean;
}

/**
 * The declarative `authorize` form compiled into its function: an action on a topic is allowed
 * when some rule naming the action has a pattern matching the topic and allows the identity.
 * Returns a sentence saying what is wrong with the first bad rule instead.
 */
export function compileTopicRules(rules: unknown): AuthorizeTopic | string {
  if (!Array.isArray(rules)) return HeartbeatMessages.rulesNotArray(rules);
  const compiled: CompiledRule[] = [];
  for (const [index, rule] of (rules as unknown[]).entries()) {
    const result = compileRule(rule);
    if (typeof result === 'string') return HeartbeatMessages.ruleInvalid(index, result);
    compiled.push(result);
  }
  return (identity, topic, action) =>
    compiled.some((rule) => rule.actions.includes(action) && rule.pattern.matches(topic, identity?.userId) && rule.allows(identity));
}

function compileRule(rule: unknown): CompiledRule | string {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return HeartbeatMessages.ruleNotObject();
  const { topic, actions = ['subscribe'], allow } = rule as Partial<Record<keyof TopicRule, unknown>>;
  const pattern = TopicPattern.parse(topic);
  if (typeof pattern === 'string') return pattern;
  if (!Array.isArray(actions) || actions.length === 0 || actions.some((action) => !ACTIONS.includes(action as TopicAction))) {
    return HeartbeatMessages.ruleBadActions(actions);
  }
  const allows = allowance(allow);
  if (allows === undefined) return HeartbeatMessages.ruleBadAllow(allow);
  return { pattern, actions: actions as TopicAction[], allows };
}

function allowance(allow: unknown): CompiledRule['allows'] | undefined {
  if (allow === 'anyone') return () => true;
  if (allow === 'authenticated') return (identity) => identity !== undefined;
  if (typeof allow !== 'object' || allow === null) return undefined;
  const { claim } = allow as { claim?: unknown };
  if (typeof claim !== 'string' || claim.length === 0) return undefined;
  const { equals } = allow as { equals?: unknown };
  if (equals === undefined) return (identity) => claimOf(identity, claim) !== undefined;
  const accepted = Array.isArray(equals) ? equals : [equals];
  return (identity) => {
    const value = claimOf(identity, claim);
    if (value === undefined) return false;
    const held = Array.isArray(value) ? value : [value];
    return held.some((item) => accepted.includes(item));
  };
}

/** The claim's own value: a claim named `constructor` or `__proto__` is not read off the prototype. */
function claimOf(identity: HeartbeatIdentity | undefined, claim: string): unknown {
  return identity !== undefined && Object.hasOwn(identity.claims, claim) ? identity.claims[claim] : undefined;
}
