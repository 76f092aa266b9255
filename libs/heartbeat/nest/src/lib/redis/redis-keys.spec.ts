import { RedisKeys } from './redis-keys.js';

describe('RedisKeys', () => {
  const keys = new RedisKeys('app:');

  describe('#topic', () => {
    it('puts every key and channel under the prefix', () => {
      expect([keys.topic('alerts'), keys.stream('alerts'), keys.events('alerts'), keys.nodes(), keys.node('n1'), keys.control(), keys.replies('n1'), keys.publisher('n1:ab')]).toEqual([
        'app:topic:alerts',
        'app:stream:alerts',
        'app:events:alerts',
        'app:nodes',
        'app:node:n1',
        'app:control',
        'app:replies:n1',
        'app:publisher:n1:ab',
      ]);
    });
  });

  describe('#topicOfEvents', () => {
    it('reads the topic back from an events channel, colons included', () => {
      expect(keys.topicOfEvents(keys.events('alerts:eu'))).toBe('alerts:eu');
    });

    it('is undefined for other channels', () => {
      expect(keys.topicOfEvents(keys.control())).toBeUndefined();
      expect(keys.topicOfEvents('other:events:alerts')).toBeUndefined();
    });
  });
});
