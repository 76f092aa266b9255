import { eventFrameParts, joinEventFrame } from './event-frame.js';
import { parseServerFrame } from './server-frame-codec.js';

describe('eventFrameParts', () => {
  it('makes, around seq and epoch, the event frame JSON.stringify would make', () => {
    const data = { id: 'a-1', category: 'spam', risk_score: 0.93, nested: [1, 'two', null] };
    const text = joinEventFrame(eventFrameParts('alerts', data, '2026-12-04T18:00:00.000Z'), 42, 'mwttx520-756688c6');
    expect(text).toBe(
      JSON.stringify({ type: 'event', topic: 'alerts', seq: 42, epoch: 'mwttx520-756688c6', data, timestamp: '2026-12-04T18:00:00.000Z' }),
    );
    expect(parseServerFrame(text).ok).toBe(true);
  });

  it('escapes the topic name', () => {
    const topic = 'alerts "eu" \\ ünïcode';
    const text = joinEventFrame(eventFrameParts(topic, 1, '2026-12-04T18:00:00.000Z'), 1, 'e1');
    expect(JSON.parse(text)).toMatchObject({ topic, data: 1 });
  });

  it('writes data JSON has no text for (undefined, a function) as null', () => {
    for (const data of [undefined, () => 'not data']) {
      const text = joinEventFrame(eventFrameParts('alerts', data, '2026-12-04T18:00:00.000Z'), 1, 'e1');
      expect(JSON.parse(text)).toMatchObject({ data: null });
      expect(parseServerFrame(text).ok).toBe(true);
    }
  });

  it('throws a TypeError for data JSON cannot encode (a BigInt, a cycle)', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => eventFrameParts('alerts', { amount: 10n }, '2026-12-04T18:00:00.000Z')).toThrow(TypeError);
    expect(() => eventFrameParts('alerts', cycle, '2026-12-04T18:00:00.000Z')).toThrow(TypeError);
  });
});
