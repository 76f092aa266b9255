import { CloseCode } from '@heartbeat/protocol';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { health, sleep } from '../lib/server.js';
import { closedWithin, framesOf, inWorld } from '../lib/trespass.js';

const FLOOD = 1_000;

/**
 * Security 4: a flood of forbidden subscribes. Refusing costs the server an answer each, so the
 * rate limit (docs/server.md#rate-limit) must apply to them as to any frame: the connection is
 * closed with 4429, the server stays up, and alice keeps getting her topic.
 */
export async function forbiddenFlood(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'forbidden-flood',
    'S4. A flood of forbidden subscribes',
    'forbidden subscribes count against the rate limit like any frame: the flooding connection is closed with 4429, nothing leaks, and other users are not disturbed.',
  );
  s.setup = `monitor server (rate limit 100 frames/s, burst 200: the defaults); bob sends ${FLOOD} subscribes of user.alice at once; alice is subscribed to user.alice and gets an event published during the flood.`;
  return inWorld(s, async (world) => {
    const alice = await world.subscribed('alice', 'user.alice');
    const bob = await world.open('bob');
    const startedAt = Date.now();
    for (let i = 0; i < FLOOD && bob.client.socket.readyState === bob.client.socket.OPEN; i++) {
      bob.client.send({ type: 'subscribe', topic: i % 2 === 0 ? 'user.alice' : `user.alice${'*'.repeat(1 + (i % 5))}` });
    }
    const published = await world.publish('user.alice', { during: 'the flood' });
    const closed = await closedWithin(bob.client, 5_000);
    const forbidden = bob.received.filter((frame) => frame.type === 'error' && frame.code === 'forbidden').length;
    const invalid = bob.received.filter((frame) => frame.type === 'error' && frame.code === 'invalid_topic').length;
    await sleep(300);
    const up = await health(world.server);

    s.figures([
      ['subscribes sent before the close', FLOOD],
      ['answered forbidden / invalid_topic', `${forbidden} / ${invalid}`],
      ['bob closed with', closed ? `${closed.code} after ${closed ? (bob.client.closedAt ?? startedAt) - startedAt : 0} ms (${closed.reason})` : 'STILL OPEN'],
      ['alice’s event during the flood', `${framesOf(alice, 'event', 'user.alice').length} (publish answered ${published.status})`],
      ['server /health afterwards', up ? '200' : 'NO ANSWER'],
    ]);
    s.check('the flood is closed by the rate limit', closed?.code === CloseCode.RateLimited, closed ? `closed with ${closed.code}` : 'still open after 5 s');
    s.check('no more answers than the burst allows', forbidden + invalid <= 200 + 10, `${forbidden + invalid} refusals answered (burst 200)`);
    s.check('alice undisturbed, server up', up && framesOf(alice, 'event', 'user.alice').length === 1 && alice.client.closedAt === undefined, `alice open with her event, /health ${up ? 200 : 'down'}`);
  });
}
