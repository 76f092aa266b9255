import { describe, expect, it } from '@jest/globals';
import { metricByLabel, metricTotal, parsePrometheusText } from './prometheus.js';

const TEXT = `# HELP heartbeat_connections Open WebSocket connections.
# TYPE heartbeat_connections gauge
heartbeat_connections 19000
heartbeat_disconnections_total{code="1006"} 3
heartbeat_disconnections_total{code="1012",reason="a \\"quoted\\" one"} 5
nodejs_eventloop_lag_p99_seconds 0.0123
process_start_time_seconds 1.7e9
histogram_bucket{le="+Inf"} +Inf

not a sample line
`;

describe('parsePrometheusText', () => {
  const samples = parsePrometheusText(TEXT);

  it('reads the name of every sample, skipping comments, blank lines and lines that are not samples', () => {
    expect(samples.map((s) => s.name)).toEqual([
      'heartbeat_connections',
      'heartbeat_disconnections_total',
      'heartbeat_disconnections_total',
      'nodejs_eventloop_lag_p99_seconds',
      'process_start_time_seconds',
      'histogram_bucket',
    ]);
  });

  it('unescapes label values', () => {
    expect(samples[2]?.labels).toEqual({ code: '1012', reason: 'a "quoted" one' });
  });

  it('reads exponents and infinities', () => {
    expect(samples[4]?.value).toBe(1.7e9);
    expect(samples[5]?.value).toBe(Infinity);
  });
});

describe('metricTotal', () => {
  const samples = parsePrometheusText(TEXT);

  it('sums a metric over its label sets', () => {
    expect(metricTotal(samples, 'heartbeat_disconnections_total')).toBe(8);
  });

  it('sums only the label sets that match', () => {
    expect(metricTotal(samples, 'heartbeat_disconnections_total', { code: '1006' })).toBe(3);
  });

  it('is NaN for a metric that is not there', () => {
    expect(metricTotal(samples, 'missing_total')).toBeNaN();
  });
});

describe('metricByLabel', () => {
  it('gives the values of a metric by one of its labels', () => {
    expect(metricByLabel(parsePrometheusText(TEXT), 'heartbeat_disconnections_total', 'code')).toEqual({ '1006': 3, '1012': 5 });
  });
});
