import { CloseCode } from '@heartbeat/protocol';
import { TestClient } from '@heartbeat/testing';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { sleep } from '../lib/server.js';
import { ANONYMOUS_TOKEN, closedWithin, errorsFor, framesOf, inWorld, USERS } from '../lib/trespass.js';

/** How long a connection that should stay open is watched for a close. */
const STAYS_OPEN_MS = 1_000;

/**
 * Security 2: sessions and tokens. Session ids are forged and replayed (alice's id presented with
 * bob's token, and with the anonymous one; `hello.positions` and `hello.subscribe` naming alice's topic), and tokens are
 * swapped in `auth`. A session belongs to its user: another user's hello gets a new session, the
 * owner's connection is left alone, nothing of alice's is replayed; an `auth` with another user's
 * token closes the connection with 4001 and changes nobody's rights.
 */
export async function sessionsAndTokens(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'sessions-and-tokens',
    'S2. Forged and replayed sessions, swapped tokens',
    'a hello naming another user’s session starts a new session and leaves the owner alone; hello.positions and hello.subscribe are authorized like subscribes; an auth frame with another user’s token is refused; nothing leaks.',
  );
  s.setup = 'monitor server with users alice, bob, carol and an anonymous token; alice subscribed to user.alice with 3 events published before the attacks (so that a replay would show).';
  const rows: string[][] = [];
  const failures: string[] = [];
  const record = (attack: string, expected: string, outcome: string, ok: boolean) => {
    rows.push([attack, expected, outcome, ok ? 'yes' : 'NO']);
    if (!ok) failures.push(`${attack}: ${outcome}`);
  };
  return inWorld(s, async (world) => {
    const alice = await world.subscribed('alice', 'user.alice');
    for (const n of [1, 2, 3]) await world.publish('user.alice', { n });
    const aliceSession = alice.welcome.session_id;

    const forged = await world.open('bob', { session_id: 'forged-session-0000000001' });
    record('bob: hello with a made-up session_id', 'new session, not resumed', `resumed ${forged.welcome.resumed}, session ${forged.welcome.session_id === 'forged-session-0000000001' ? 'THE FORGED ID' : 'new'}`, !forged.welcome.resumed && forged.welcome.session_id !== 'forged-session-0000000001');

    const replayed = await world.open('bob', { session_id: aliceSession });
    record('bob: hello with alice’s session_id', 'new session; alice left alone', `resumed ${replayed.welcome.resumed}, ${replayed.welcome.session_id === aliceSession ? 'ALICE’S SESSION' : 'a new session'}`, !replayed.welcome.resumed && replayed.welcome.session_id !== aliceSession);

    const anonymous = await world.open(undefined, { session_id: aliceSession });
    record('anonymous: hello with alice’s session_id', 'new session; alice left alone', `resumed ${anonymous.welcome.resumed}, ${anonymous.welcome.session_id === aliceSession ? 'ALICE’S SESSION' : 'a new session'}`, !anonymous.welcome.resumed && anonymous.welcome.session_id !== aliceSession);

    // A hello that names alice's topic, through positions or subscribe: refused, nothing of hers delivered.
    const namesAlicesTopic = async (attack: string, hello: Parameters<typeof world.open>[1], delivered: string) => {
      const peer = await world.open('bob', hello);
      await sleep(500);
      const events = framesOf(peer, 'event', 'user.alice').length;
      const answer = errorsFor(peer, 'user.alice')[0];
      record(
        attack,
        `error forbidden for user.alice, ${delivered === 'replayed' ? 'nothing replayed' : 'none of alice’s events'}`,
        `${answer?.type === 'error' ? `error ${answer.code}` : 'no error'}, ${events} of alice’s events ${delivered}`,
        answer?.type === 'error' && answer.code === 'forbidden' && events === 0,
      );
    };
    await namesAlicesTopic('bob: hello with alice’s session_id and positions {user.alice: 0}', { session_id: aliceSession, positions: { 'user.alice': 0 } }, 'replayed');
    await world.publish('user.alice', { n: 3.5 });
    await namesAlicesTopic('bob: hello with subscribe [user.alice]', { subscribe: ['user.alice'] }, 'received');

    await sleep(STAYS_OPEN_MS);
    const aliceOpen = alice.client.closedAt === undefined;
    await world.publish('user.alice', { n: 4 });
    await sleep(300);
    record('(after the attacks) alice’s connection', 'still open, still gets user.alice', `${aliceOpen ? 'open' : 'CLOSED'}, ${framesOf(alice, 'event', 'user.alice').length} of 5 events`, aliceOpen && framesOf(alice, 'event', 'user.alice').length === 5);

    // Tokens swapped in `auth`: each on a fresh connection of alice's.
    for (const [attack, token] of [
      ['alice: auth with bob’s token', USERS.bob],
      ['alice: auth with the anonymous token', ANONYMOUS_TOKEN],
    ] as const) {
      const victim = await world.open('alice');
      victim.client.send({ type: 'auth', token });
      const closed = await closedWithin(victim.client, 3_000);
      record(attack, `closed with ${CloseCode.Unauthorized}`, closed ? `closed with ${closed.code} (${closed.reason})` : 'STILL OPEN', closed?.code === CloseCode.Unauthorized);
    }
    const renewed = await world.open('alice');
    renewed.client.send({ type: 'auth', token: USERS.alice });
    const authenticated = await renewed.client.next('authenticated', 3_000).then(
      () => true,
      () => false,
    );
    record('alice: auth with her own token (control)', 'authenticated', authenticated ? 'authenticated' : 'NOT AUTHENTICATED', authenticated);

    for (const [attack, token] of [
      ['hello with an unknown token', 'sec-unknown-token'],
      ['hello with a user name as the token', 'alice'],
      ['hello with the CLIENT_TOKENS entry user:token as the token', `alice:${USERS.alice}`],
      ['hello with the token in another case', USERS.alice.toUpperCase()],
    ] as const) {
      const client = await TestClient.connect(world.server.wsUrl);
      client.send({ type: 'hello', token });
      const closed = await closedWithin(client, 3_000);
      if (!closed) client.socket.terminate();
      record(attack, `closed with ${CloseCode.Unauthorized}`, closed ? `closed with ${closed.code}` : 'STILL OPEN', closed?.code === CloseCode.Unauthorized);
    }

    // Alice comes back to her own session: still hers.
    const back = await world.open('alice', { session_id: aliceSession });
    record('alice: hello with her own session_id (control)', 'resumed', `resumed ${back.welcome.resumed}`, back.welcome.resumed);

    s.table({ title: 'Attacks and outcomes', header: ['attack', 'expected', 'outcome', 'as expected'], rows });
    s.check('every attack got the expected outcome', failures.length === 0, failures.length === 0 ? `${rows.length} attacks and controls` : failures.slice(0, 4).join('; '));
    s.data.figures = { rows };
  });
}
