import { expectAgreement } from '../testing/frame-parity.js';
import { serverFrameSchemas } from './frame-schemas.js';
import { checkServerFrame, SERVER_FRAME_TYPES } from './server-frame-guards.js';

const T0 = 1_795_000_000_000;
const TIMESTAMP = '2026-12-05T01:00:00.000Z';
const member = { user_id: 'ada', connections: 2, since: T0 };

/** Valid frames of every server type, each optional field once present and once absent. */
const VALID: readonly Record<string, unknown>[] = [
  { type: 'welcome', session_id: 's-1', resumed: false, heartbeat: { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 }, server_time: T0 },
  { type: 'welcome', session_id: 's-1', resumed: true, heartbeat: { ping_interval: 1, heartbeat_timeout: 2, max_missed_pings: 0 }, server_time: T0, token_expires_at: T0 + 1, user_id: 'ada', hello_subscribe: true },
  { type: 'ping', timestamp: TIMESTAMP, server_time: T0, sequence: 3 },
  { type: 'pong', timestamp: TIMESTAMP, server_time: T0, client_time: T0 - 5, sequence: 3, ping_count: 4 },
  { type: 'subscribed', topic: 'alerts', epoch: 'e-1', seq: 41, recovered: true, replayed: 2 },
  { type: 'subscribed', topic: 'user.ada', epoch: 'e-2', seq: 0, recovered: true, replayed: 1, joined: true },
  { type: 'event', topic: 'alerts', seq: 42, epoch: 'e-1', data: { id: 'a-1' }, timestamp: TIMESTAMP },
  { type: 'unsubscribed', topic: 'user.ada', reason: 'forbidden' },
  { type: 'presence', topic: 'rooms.lobby', members: [member, { ...member, user_id: 'bob' }] },
  { type: 'presence', topic: 'rooms.lobby', members: [] },
  { type: 'join', topic: 'rooms.lobby', member },
  { type: 'leave', topic: 'rooms.lobby', user_id: 'bob' },
  { type: 'message', topic: 'notices', data: [1, 'two'], timestamp: TIMESTAMP },
  { type: 'message', data: null, timestamp: TIMESTAMP },
  { type: 'ack', id: 'm-1' },
  { type: 'result', id: 'r-1', data: { acknowledged: true } },
  { type: 'authenticated' },
  { type: 'authenticated', token_expires_at: T0 },
  { type: 'error', code: 'invalid_request', message: 'Bad data.', ref: 'r-1', details: ['alert_id must be a string'] },
  { type: 'error', code: 'internal_error', message: '' },
];

describe('checkServerFrame', () => {
  it('knows exactly the server frame types of the schemas, in their order', () => {
    expect(SERVER_FRAME_TYPES).toEqual(Object.keys(serverFrameSchemas));
    expect(new Set(VALID.map((frame) => frame.type))).toEqual(new Set(SERVER_FRAME_TYPES));
  });

  it.each(VALID.map((frame) => [frame.type, frame] as const))('accepts exactly what the %s schema accepts and builds the same frame', (type, valid) => {
    const schema = serverFrameSchemas[type as keyof typeof serverFrameSchemas];
    const check = (frame: Record<string, unknown>) => {
      const checked = checkServerFrame(type as string, frame);
      return checked && 'frame' in checked ? checked.frame : undefined;
    };
    expect(expectAgreement(check, schema, valid)).toBeGreaterThan(2);
  });

  it('names every bad field with its path, nested ones included', () => {
    const checked = checkServerFrame('welcome', { type: 'welcome', session_id: '', resumed: 'yes', heartbeat: { ping_interval: -1 }, server_time: T0 });
    expect(checked).toEqual({
      problems:
        'session_id: expected a string of 1–128 characters; resumed: expected true or false; heartbeat.ping_interval: expected an integer ≥ 0; ' +
        'heartbeat.heartbeat_timeout: required; heartbeat.max_missed_pings: required',
    });
    expect(checkServerFrame('presence', { type: 'presence', topic: 't', members: [{ user_id: 'a', connections: 1 }] })).toEqual({
      problems: 'members: item 0: since: required',
    });
  });

  it('keeps an event\'s data as it came, any value, null included, but not a frame without the data key', () => {
    const data = { id: 'a-1', severity: 'high', tags: ['x'] };
    const base = { type: 'event', topic: 'alerts', seq: 7, epoch: 'e-1', timestamp: TIMESTAMP };
    const checked = checkServerFrame('event', { ...base, data });
    expect(checked && 'frame' in checked && (checked.frame as { data: unknown }).data).toBe(data);
    expect(checkServerFrame('event', { ...base, data: null })).toEqual({ frame: { type: 'event', topic: 'alerts', seq: 7, epoch: 'e-1', data: null, timestamp: TIMESTAMP } });
    expect(checkServerFrame('event', base)).toEqual({ problems: 'data: required' });
  });

  it('answers undefined for a type servers do not send, __proto__ included', () => {
    expect(checkServerFrame('hello', { type: 'hello' })).toBeUndefined();
    expect(checkServerFrame('__proto__', { type: '__proto__' })).toBeUndefined();
  });
});
