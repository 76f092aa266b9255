import { topicNameProblem } from '@heartbeat/protocol';

/** The placeholder a pattern uses for the connection's own user id (`user.{userId}`). */
const USER_PLACEHOLDER = '{userId}';
/** A stand-in for the placeholder and `*` while the rest of a pattern is checked as a topic name. */
const STAND_IN = 'x';

/**
 * A topic pattern of the module's options (docs/server.md#topic-authorization): a topic name in
 * which `*` stands for one whole dot-separated segment and `{userId}` for the connection's own user
 * id (an anonymous connection matches no pattern that names it). Everything else is matched exactly,
 * case included.
 */
export class TopicPattern {
  private readonly expression: RegExp;
  private readonly personal: boolean;

  private constructor(readonly source: string) {
    this.personal = source.includes(USER_PLACEHOLDER);
    const body = source
      .split(USER_PLACEHOLDER)
      .map((part) =>
        part
          .split('*')
          .map((literal) => literal.replace(/[.+/=:@#-]/g, (character) => `\\${character}`))
          .join('[^.#]+'),
      )
      .join('(?<user>[^#]+)');
    this.expression = new RegExp(`^${body}$`);
  }

  /** The pattern, or a sentence saying what is wrong with it. */
  static parse(source: unknown): TopicPattern | string {
    if (typeof source !== 'string') return 'A topic pattern must be a string.';
    const segments = source.replaceAll(USER_PLACEHOLDER, STAND_IN).split('.');
    if (segments.some((segment) => segment.includes('*') && segment !== '*')) {
      return `The topic pattern "${source}" uses * inside a segment; * stands for one whole segment between dots (alerts.*).`;
    }
    const problem = topicNameProblem(source.replaceAll(USER_PLACEHOLDER, STAND_IN).replaceAll('*', STAND_IN));
    if (problem) return `The topic pattern "${source}" is not a topic name once {userId} and * are filled in: ${problem}`;
    return new TopicPattern(source);
  }

  /** Whether `topic` is one of the pattern's topics for a connection of `userId` (undefined: anonymous). */
  matches(topic: string, userId: string | undefined): boolean {
    const match = this.expression.exec(topic);
    if (!match) return false;
    return !this.personal || (userId !== undefined && match.groups?.['user'] === userId);
  }
}
