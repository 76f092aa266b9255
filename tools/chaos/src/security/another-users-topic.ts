import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { health, sleep } from '../lib/server.js';
import { errorsFor, framesOf, type Peer, inWorld } from '../lib/trespass.js';

/** The longest `topic` a frame may carry (docs/protocol.md#topic-names). */
const FRAME_TOPIC_LIMIT = 200;

/**
 * Names bob may try for alice's personal topic `user.alice`: case, whitespace, wildcard characters,
 * very long and non-ASCII names, and alice's user topics (`#alice`). None may reach alice's events.
 */
export const TOPIC_VARIANTS: readonly string[] = [
  'user.alice',
  'User.alice',
  'user.Alice',
  'USER.ALICE',
  ' user.alice',
  'user.alice ',
  'user.alice\t',
  'user. alice',
  'user.*',
  'user.>',
  'user.alice*',
  'user.?lice',
  'user.#',
  '*',
  '>',
  'user..alice',
  'user.alice.',
  `user.alice${'a'.repeat(300)}`,
  `user.${'x'.repeat(195)}`,
  'user.\u0430lice', // Cyrillic а
  'user.ａlice', // full-width a
  'user.alice\u0000',
  'user.alice\u200b', // zero-width space
  'user.alice#alice',
  'alerts#alice',
  'notes#alice',
  '#alice',
];

/** What a subscribe was answered with within the wait: an error code, `subscribed`, or nothing. */
async function answerTo(peer: Peer, topic: string): Promise<string> {
  const from = peer.received.length;
  peer.client.send({ type: 'subscribe', topic });
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline) {
    const fresh = peer.received.slice(from);
    const subscribed = fresh.find((frame) => frame.type === 'subscribed' && frame.topic === topic);
    if (subscribed) return 'subscribed';
    const error = fresh.find((frame) => frame.type === 'error' && (frame.ref === topic || frame.ref === 'subscribe'));
    if (error && error.type === 'error') return `error ${error.code}`;
    await sleep(10);
  }
  return 'no answer';
}

/**
 * Security 1: bob asks for alice's personal topic under every name he can think of. Each is
 * refused in-band (`invalid_topic` or `forbidden`), his connection stays open, and neither the
 * events published on alice's topics nor their `subscribed` reach him; alice gets hers.
 */
export async function anotherUsersTopic(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'another-users-topic',
    'S1. Another user’s topic, under every name',
    'a subscribe, a message or a request naming another user’s topic — in any spelling — is refused in-band and nothing of that topic reaches the connection; the connection stays open.',
  );
  s.setup = `monitor server with users alice, bob, carol and an anonymous token; alice subscribed to user.alice; bob and the anonymous connection try ${TOPIC_VARIANTS.length} names each, then send a message and a request on user.alice; the admin API publishes on user.alice and alerts#alice after every try.`;
  return inWorld(s, async (world) => {
    const alice = await world.subscribed('alice', 'user.alice');
    const bob = await world.open('bob');
    const anonymous = await world.open(undefined);

    const rows: string[][] = [];
    const wrong: string[] = [];
    for (const topic of TOPIC_VARIANTS) {
      const [bobAnswer, anonymousAnswer] = await Promise.all([answerTo(bob, topic), answerTo(anonymous, topic)]);
      // A name over the frame schema's 200 characters makes the frame itself invalid (docs/protocol.md#topic-names).
      const refused = (answer: string) =>
        answer === 'error forbidden' || answer === 'error invalid_topic' || (topic.length > FRAME_TOPIC_LIMIT && answer === 'error invalid_frame');
      if (!refused(bobAnswer) || !refused(anonymousAnswer)) wrong.push(`${JSON.stringify(topic)}: bob ${bobAnswer}, anonymous ${anonymousAnswer}`);
      rows.push([JSON.stringify(topic.length > 40 ? `${topic.slice(0, 37)}…` : topic), String(topic.length), bobAnswer, anonymousAnswer]);
    }
    const published = await world.publish('user.alice', { secret: 'for alice only' });
    const userTopic = await world.publish('alerts#alice', { secret: 'for alice only' });
    s.table({ title: 'Answers to a subscribe of each name', header: ['name tried', 'length', 'bob', 'anonymous'], rows });

    const beforePublish = bob.received.length;
    bob.client.send({ type: 'message', id: 'sec-m-1', topic: 'user.alice', data: { x: 1 } });
    bob.client.send({ type: 'request', id: 'sec-r-1', topic: 'user.alice', data: { x: 1 } });
    await sleep(500);
    const messageAnswer = errorsFor(bob, 'sec-m-1', beforePublish)[0];
    const requestAnswer = errorsFor(bob, 'sec-r-1', beforePublish)[0];
    const acked = bob.received.slice(beforePublish).some((frame) => frame.type === 'ack' && frame.id === 'sec-m-1');
    await world.publish('user.alice', { secret: 'for alice only, again' });
    await sleep(300);

    s.figures([
      ['names tried (bob and the anonymous connection each)', TOPIC_VARIANTS.length],
      ['admin publish on user.alice / alerts#alice', `${published.status} / ${userTopic.status}`],
      ['alice’s events on user.alice', framesOf(alice, 'event', 'user.alice').length],
      ['bob’s message on user.alice', messageAnswer?.type === 'error' ? `error ${messageAnswer.code}` : acked ? 'ACKNOWLEDGED' : 'no answer'],
      ['bob’s request on user.alice', requestAnswer?.type === 'error' ? `error ${requestAnswer.code}` : 'no error'],
      ['bob / anonymous still connected', `${bob.client.closedAt === undefined} / ${anonymous.client.closedAt === undefined}`],
    ]);
    s.check('every name refused in-band', wrong.length === 0, wrong.length === 0 ? `${TOPIC_VARIANTS.length} names × 2 connections: forbidden or invalid_topic` : wrong.slice(0, 4).join('; '));
    s.check('alice gets her own topic', framesOf(alice, 'event', 'user.alice').length === 2 && published.status < 300, `${framesOf(alice, 'event', 'user.alice').length} events on user.alice (2 published)`);
    s.check(
      'a message or request on another user’s topic is refused',
      messageAnswer?.type === 'error' && messageAnswer.code === 'forbidden' && !acked && requestAnswer?.type === 'error' && requestAnswer.code === 'forbidden',
      `message: ${messageAnswer?.type === 'error' ? messageAnswer.code : 'none'}${acked ? ' (acknowledged!)' : ''}, request: ${requestAnswer?.type === 'error' ? requestAnswer.code : 'none'}`,
    );
    s.check('the refused connections stay open', bob.client.closedAt === undefined && anonymous.client.closedAt === undefined && (await health(world.server)), 'bob and the anonymous connection open, /health 200');
    s.data.figures = { rows };
  });
}
