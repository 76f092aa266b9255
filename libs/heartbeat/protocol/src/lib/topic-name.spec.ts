import { MAX_TOPIC_LENGTH } from './frame-limits.js';
import { isValidTopicName, topicNameProblem, topicUser, userTopic } from './topic-name.js';

describe('topicNameProblem', () => {
  it('accepts the names the docs use', () => {
    for (const name of ['alerts', 'alerts.acks', 'user.alice', 'tenant-1/room:42', 'a=b+c@d_e', 'notifications#alice@example.com']) {
      expect({ name, problem: topicNameProblem(name) }).toEqual({ name, problem: undefined });
    }
  });

  it('refuses empty, overlong and non-string names with a sentence', () => {
    expect(topicNameProblem('')).toMatch(/non-empty string/);
    expect(topicNameProblem(42)).toMatch(/non-empty string/);
    expect(topicNameProblem('x'.repeat(MAX_TOPIC_LENGTH + 1))).toMatch(/201 characters long; the most is 200/);
    expect(topicNameProblem('x'.repeat(MAX_TOPIC_LENGTH))).toBeUndefined();
  });

  it('refuses whitespace, wildcards, non-ASCII and a second #', () => {
    for (const name of [' alerts', 'alerts ', 'al erts', 'alerts\n', 'alerts.*', 'alerts.>', 'alert?', 'alertś', 'ａlerts', 'a#b#c', '#alice', 'alerts#', 'user.alice\u0000']) {
      expect(topicNameProblem(name)).toMatch(/character topics may not use/);
      expect(isValidTopicName(name)).toBe(false);
    }
  });

  it('escapes control characters in its sentence', () => {
    expect(topicNameProblem('a\nb')).toContain('"a\\nb"');
  });
});

describe('userTopic', () => {
  it('names the user after #, and topicUser reads it back', () => {
    expect(userTopic('notifications', 'alice')).toBe('notifications#alice');
    expect(topicUser('notifications#alice')).toBe('alice');
    expect(topicUser('alerts')).toBeUndefined();
  });
});
