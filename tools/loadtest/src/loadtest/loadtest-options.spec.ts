import { describe, expect, it } from '@jest/globals';
import { CliOptionsError } from '../lib/cli-options.js';
import { defaultMetricsUrl, isLoopback, parseLoadtestOptions } from './loadtest-options.js';

describe('parseLoadtestOptions', () => {
  it('runs the idle scenario with 1,000 connections against a server it starts by default', () => {
    expect(parseLoadtestOptions([])).toMatchObject({ scenario: 'idle', connections: 1_000, rate: 500, url: undefined });
  });

  it('takes a loopback URL for the scenarios that do not kill the server', () => {
    expect(parseLoadtestOptions(['--scenario=fanout', '--url=ws://127.0.0.1:3000/ws', '--token=t'])).toMatchObject({ url: 'ws://127.0.0.1:3000/ws', token: 't' });
  });

  it.each([
    [['--url=ws://10.0.0.5:3000/ws'], '--url must point at this machine (localhost, 127.x.x.x or [::1]), but names 10.0.0.5: a load test only targets loopback.'],
    [['--url=http://127.0.0.1:3000/ws'], '--url must start with ws:// or wss://, but is "http://127.0.0.1:3000/ws".'],
    [['--url=nonsense'], '--url must be a WebSocket URL such as ws://127.0.0.1:3000/ws, but is "nonsense".'],
    [['--scenario=restart', '--url=ws://localhost:3000/ws'], '--scenario=restart kills the server and starts it again, so the tool must start it: leave out --url.'],
    [['--url=ws://localhost:3000/ws', '--drain-window=100'], '--drain-window sets up a server the tool starts; a server at --url keeps its own settings.'],
    [['--scenario=resume', '--events-per-second=0'], '--scenario=resume needs events: give --events-per-second a value above 0.'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseLoadtestOptions(argv)).toThrow(new CliOptionsError(message));
  });
});

describe('isLoopback', () => {
  it('accepts localhost, 127.0.0.0/8 and ::1 only', () => {
    expect(['localhost', '127.0.0.1', '127.77.3.9', '[::1]'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '192.168.1.1', 'example.com', '127.0.0.1.nip.io'].some(isLoopback)).toBe(false);
  });
});

describe('defaultMetricsUrl', () => {
  it('is /metrics over HTTP(S) on the WebSocket URL\'s host', () => {
    expect(defaultMetricsUrl('ws://127.0.0.1:3000/ws?x=1')).toBe('http://127.0.0.1:3000/metrics');
    expect(defaultMetricsUrl('wss://localhost/ws')).toBe('https://localhost/metrics');
  });
});
