import { Histogram, Registry } from 'prom-client';
import { LeanHistogram } from './lean-histogram.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

describe('LeanHistogram', () => {
  describe('#get', () => {
    it("scrapes as the same text as prom-client's Histogram after the same observations, bucket edges included", async () => {
      const lean = new Registry();
      const reference = new Registry();
      const histogram = new LeanHistogram('rtt_seconds', 'Round-trip time.', BUCKETS, lean);
      const expected = new Histogram({ name: 'rtt_seconds', help: 'Round-trip time.', buckets: BUCKETS, registers: [reference] });
      for (const value of [0, 0.0005, 0.001, 0.0011, 0.0025, 0.003, 0.05, 0.2, 1, 2.5, 4.99, 5, 7, 120]) {
        histogram.observe(value);
        expected.observe(value);
      }
      expect(await lean.metrics()).toBe(await reference.metrics());
    });

    it('scrapes zeros before any observation', async () => {
      const registry = new Registry();
      new LeanHistogram('rtt_seconds', 'Round-trip time.', [0.5, 1], registry);
      expect(await registry.metrics()).toBe(
        [
          '# HELP rtt_seconds Round-trip time.',
          '# TYPE rtt_seconds histogram',
          'rtt_seconds_bucket{le="0.5"} 0',
          'rtt_seconds_bucket{le="1"} 0',
          'rtt_seconds_bucket{le="+Inf"} 0',
          'rtt_seconds_sum 0',
          'rtt_seconds_count 0',
          '',
        ].join('\n'),
      );
    });
  });

  describe('#reset', () => {
    it('starts every count and the sum again from 0', async () => {
      const registry = new Registry();
      const histogram = new LeanHistogram('rtt_seconds', 'Round-trip time.', [0.5, 1], registry);
      histogram.observe(0.7);
      histogram.reset();
      expect(await registry.metrics()).toContain('rtt_seconds_count 0');
      expect(await registry.metrics()).toContain('rtt_seconds_bucket{le="1"} 0');
    });
  });
});
