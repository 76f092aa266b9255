import { describe, expect, it } from '@jest/globals';
import { TopicPattern } from './topic-pattern.js';

const pattern = (source: string): TopicPattern => {
  const parsed = TopicPattern.parse(source);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('TopicPattern', () => {
  describe('.parse', () => {
    it('refuses a non-string, * inside a segment and characters topics may not use, with a sentence', () => {
      expect(TopicPattern.parse(5)).toBe('A topic pattern must be a string.');
      expect(TopicPattern.parse('alerts.a*')).toMatch(/uses \* inside a segment/);
      expect(TopicPattern.parse('alerts .x')).toMatch(/not a topic name once \{userId\} and \* are filled in/);
      expect(TopicPattern.parse('user.{userId}')).toBeInstanceOf(TopicPattern);
    });
  });

  describe('#matches', () => {
    it('matches a plain name exactly, case included', () => {
      const alerts = pattern('alerts');
      expect(alerts.matches('alerts', undefined)).toBe(true);
      expect(alerts.matches('Alerts', undefined)).toBe(false);
      expect(alerts.matches('alerts.acks', undefined)).toBe(false);
      expect(pattern('a.b').matches('aXb', undefined)).toBe(false);
    });

    it('lets * stand for one whole segment', () => {
      const any = pattern('rooms.*.chat');
      expect(any.matches('rooms.42.chat', undefined)).toBe(true);
      expect(any.matches('rooms.4.2.chat', undefined)).toBe(false);
      expect(any.matches('rooms..chat', undefined)).toBe(false);
      expect(any.matches('rooms.42#bob.chat', undefined)).toBe(false);
    });

    it('lets {userId} stand for the connection’s own user only', () => {
      const personal = pattern('user.{userId}');
      expect(personal.matches('user.alice', 'alice')).toBe(true);
      expect(personal.matches('user.alice', 'bob')).toBe(false);
      expect(personal.matches('user.alice', undefined)).toBe(false);
      expect(personal.matches('user.alice.x', 'alice')).toBe(false);
      expect(pattern('notes#{userId}').matches('notes#a.b@example.com', 'a.b@example.com')).toBe(true);
    });
  });
});
