import { RedisKeys } from './redis-keys.js';

describe('RedisKeys', () => {
  const keys = new RedisKeys('app:');

  /** What Redis Cluster hashes to place a key: the part in its first braces, when not empty. */
  const hashTag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];

  describe('#topic', () => {
    it('puts every key and channel under the prefix', () => {
      expect([keys.topic('alerts'), keys.stream('alerts'), keys.events('alerts'), keys.publisher('n1:ab', 'alerts'), keys.nodes(), keys.node('n1'), keys.control(), keys.replies('n1')]).toEqual([
        'app:topic:{alerts}',
        'app:stream:{alerts}',
        'app:events:{alerts}',
        'app:publisher:{alerts}:n1:ab',
        'app:{nodes}',
        'app:{nodes}:n1',
        'app:control',
        'app:replies:n1',
      ]);
    });

    it('gives the keys and channel of a publish the topic’s hash tag, so that its script runs on one shard', () => {
      const tags = [keys.topic('alerts:eu'), keys.stream('alerts:eu'), keys.events('alerts:eu'), keys.publisher('n1:ab', 'alerts:eu')].map(hashTag);
      expect(tags).toEqual(['alerts:eu', 'alerts:eu', 'alerts:eu', 'alerts:eu']);
    });

    it('gives a session and its message ids the session id as hash tag, so that its scripts run on one shard', () => {
      expect([keys.session('s_1'), keys.sessionMessages('s_1')]).toEqual(['app:session:{s_1}', 'app:messages:{s_1}']);
      expect([keys.session('s_1'), keys.sessionMessages('s_1')].map(hashTag)).toEqual(['s_1', 's_1']);
    });

    it('gives the node reports one hash tag and every presence key another', () => {
      expect([keys.nodes(), keys.node('n1'), keys.node('n2')].map(hashTag)).toEqual(['nodes', 'nodes', 'nodes']);
      expect([keys.presenceMembers('alerts'), keys.presenceChanges(), keys.presenceRoute].map(hashTag)).toEqual(['presence', 'presence', 'presence']);
    });
  });

  describe('#topicOfEvents', () => {
    it('reads the topic back from an events channel, colons included', () => {
      expect(keys.topicOfEvents(keys.events('alerts:eu'))).toBe('alerts:eu');
    });

    it('is undefined for other channels', () => {
      expect(keys.topicOfEvents(keys.control())).toBeUndefined();
      expect(keys.topicOfEvents('other:events:{alerts}')).toBeUndefined();
      expect(keys.topicOfEvents('app:events:alerts')).toBeUndefined();
    });
  });
});
