import { MAX_TOPIC_LENGTH } from './frame-limits.js';

/**
 * The characters a topic name is made of (docs/protocol.md#topic-names): ASCII letters and digits and
 * `. _ - : @ = + /`, and one `#` before the user of a user topic. No spaces, no wildcard characters
 * (`*`, `>`, `?`), nothing outside ASCII: a name means one topic, compared byte for byte.
 */
const TOPIC_NAME = /^[A-Za-z0-9._:@=+/-]+(?:#[A-Za-z0-9._:@=+/-]+)?$/;

/** The separator of a user topic, `<topic>#<userId>`: only that user may subscribe to it. */
export const USER_TOPIC_SEPARATOR = '#';

/** Why `topic` is not a valid topic name, as a sentence; undefined when it is one. */
export function topicNameProblem(topic: unknown): string | undefined {
  if (typeof topic !== 'string' || topic.length === 0) return 'A topic name must be a non-empty string.';
  if (topic.length > MAX_TOPIC_LENGTH) {
    return `The topic name is ${topic.length} characters long; the most is ${MAX_TOPIC_LENGTH}.`;
  }
  if (!TOPIC_NAME.test(topic)) {
    return (
      `The topic name "${printable(topic)}" has a character topics may not use: use ASCII letters, digits and . _ - : @ = + /, ` +
      `and one # before the user of a user topic (no spaces, no wildcards).`
    );
  }
  return undefined;
}

export function isValidTopicName(topic: unknown): topic is string {
  return topicNameProblem(topic) === undefined;
}

/**
 * The user topic of `userId` for `topic`: `<topic>#<userId>`. Only a connection of that user may
 * subscribe to it (docs/server.md#targeted-delivery); `HeartbeatService.publishToUser` publishes on it.
 */
export function userTopic(topic: string, userId: string): string {
  return `${topic}${USER_TOPIC_SEPARATOR}${userId}`;
}

/** The user a user topic belongs to (what follows its `#`); undefined for any other topic. */
export function topicUser(topic: string): string | undefined {
  const at = topic.indexOf(USER_TOPIC_SEPARATOR);
  return at < 0 ? undefined : topic.slice(at + 1);
}

/** The name cut short and its control characters escaped, fit for a sentence or a log line. */
function printable(topic: string): string {
  const head = topic.length > 60 ? `${topic.slice(0, 60)}…` : topic;
  return JSON.stringify(head).slice(1, -1);
}
