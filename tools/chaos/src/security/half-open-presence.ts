import { BlackholeProxy } from '@heartbeat/testing';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { max, median, ms } from '../lib/stats.js';
import { inWorld, type Peer, SECURITY_HEARTBEAT, type TrespassWorld, type UserName } from '../lib/trespass.js';

/**
 * The dead-peer bound of docs/server.md#how-fresh-presence-is, counted here from the moment the
 * proxy went silent (at or after the member's last frame, so never longer than the documented one):
 * min((maxMissedPings + 1) × pingInterval, heartbeatTimeout + heartbeatInterval) plus a wheel tick.
 * The bound assumes an event loop that is not blocked; on a loaded CI machine timers fire late, so
 * the check allows SLACK_MS on top.
 */
const { pingInterval, maxMissedPings, heartbeatTimeout, heartbeatInterval } = SECURITY_HEARTBEAT;
export const DEAD_PEER_BOUND_MS = Math.min((maxMissedPings + 1) * pingInterval, heartbeatTimeout + heartbeatInterval);
const SLACK_MS = 500;
const ROUNDS = 3;
const MEMBERS: readonly UserName[] = ['alice', 'bob'];

/** How long after `since` the watcher got the `leave` of `userId` on alerts; undefined when none came within `timeoutMs`. */
async function leaveAfter(watcher: Peer, userId: string, since: number, timeoutMs: number): Promise<number | undefined> {
  try {
    await watcher.client.next('leave', timeoutMs, (frame) => frame.topic === 'alerts' && frame.user_id === userId);
    return Date.now() - since;
  } catch {
    return undefined;
  }
}

/**
 * Security 5: a member whose link went half-open (a proxy that stops forwarding: no FIN, no RST)
 * leaves the topic's presence within the dead-peer bound, and the leave reaches the watchers; a
 * member that closes leaves at once. Nobody sees a member of a topic they may not read.
 */
export async function halfOpenPresence(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'half-open-presence',
    'S5. A member whose link went half-open',
    `a member whose link goes silent leaves presence within the dead-peer bound, min((maxMissedPings + 1) × pingInterval, heartbeatTimeout + heartbeatInterval) = ${ms(DEAD_PEER_BOUND_MS)}; one that closes leaves at once.`,
  );
  s.setup =
    `monitor server with presence on alerts, pingInterval ${SECURITY_HEARTBEAT.pingInterval} ms, maxMissedPings ${SECURITY_HEARTBEAT.maxMissedPings}, heartbeatTimeout ${SECURITY_HEARTBEAT.heartbeatTimeout} ms; ` +
    `carol watches the presence of alerts; ${ROUNDS} rounds × ${MEMBERS.join(' and ')}: connect through a TCP proxy, subscribe alerts, then the proxy stops forwarding (blackhole).`;
  const proxies: BlackholeProxy[] = [];
  return inWorld(s, async (world) => {
    try {
      await measure(s, world, proxies);
    } finally {
      for (const proxy of proxies) await proxy.close().catch(() => undefined);
    }
  });
}

/** The rounds of half-open members, then a clean close, as carol sees them. */
async function measure(s: ScenarioBuilder, world: TrespassWorld, proxies: BlackholeProxy[]): Promise<void> {
  const carol = await world.open('carol');
  carol.client.send({ type: 'subscribe', topic: 'alerts', presence: true });
  const snapshot = await carol.client.next('presence', 5_000, (frame) => frame.topic === 'alerts');

  const rows: string[][] = [];
  const leaveTimes: number[] = [];
  const missing: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const user of MEMBERS) {
      const proxy = await BlackholeProxy.start(Number(new URL(world.server.url).port));
      proxies.push(proxy);
      const member = await world.open(user, {}, { url: `ws://127.0.0.1:${proxy.port}${new URL(world.server.wsUrl).pathname}` });
      member.client.send({ type: 'subscribe', topic: 'alerts' });
      await member.client.next('subscribed', 5_000, (frame) => frame.topic === 'alerts');
      await carol.client.next('join', 5_000, (frame) => frame.topic === 'alerts' && frame.member.user_id === user);
      const silentAt = Date.now();
      proxy.blackhole();
      const left = await leaveAfter(carol, user, silentAt, DEAD_PEER_BOUND_MS + 5_000);
      if (left === undefined) missing.push(`${user} in round ${round}`);
      else leaveTimes.push(left);
      rows.push([String(round), user, left === undefined ? 'NO LEAVE' : ms(left), ms(DEAD_PEER_BOUND_MS)]);
      await proxy.close();
    }
  }
  s.table({ title: 'Link silent → `leave` at the watcher', header: ['round', 'member', 'leave after', 'bound'], rows });

  const closing = await world.open('alice');
  closing.client.send({ type: 'subscribe', topic: 'alerts' });
  await carol.client.next('join', 5_000, (frame) => frame.topic === 'alerts' && frame.member.user_id === 'alice');
  const closedAt = Date.now();
  const cleanLeave = leaveAfter(carol, 'alice', closedAt, 3_000);
  await closing.client.close();
  const leftAfterClose = await cleanLeave;

  s.figures([
    ['members in carol’s first snapshot', snapshot.members.length],
    ['half-open leaves measured', `${leaveTimes.length} of ${ROUNDS * MEMBERS.length}`],
    ['leave after the link went silent: median / max', leaveTimes.length ? `${ms(median(leaveTimes))} / ${ms(max(leaveTimes))}` : '—'],
    ['documented bound, min((maxMissedPings + 1) × pingInterval, heartbeatTimeout + heartbeatInterval)', ms(DEAD_PEER_BOUND_MS)],
    ['leave after a clean close', leftAfterClose === undefined ? 'NO LEAVE' : ms(leftAfterClose)],
  ]);
  s.check('every half-open member left', missing.length === 0, missing.length === 0 ? `${leaveTimes.length} leaves` : `no leave for ${missing.join(', ')}`);
  s.check(
    'within the dead-peer bound',
    leaveTimes.length > 0 && max(leaveTimes) <= DEAD_PEER_BOUND_MS + SLACK_MS,
    `slowest ${leaveTimes.length ? ms(max(leaveTimes)) : '—'}, bound ${ms(DEAD_PEER_BOUND_MS)} (+${SLACK_MS} ms for late timers)`,
  );
  s.check('a member that closes leaves at once', leftAfterClose !== undefined && leftAfterClose <= 1_000, leftAfterClose === undefined ? 'no leave' : `after ${ms(leftAfterClose)}`);
  s.data.figures = { rows, leaveTimes, boundMs: DEAD_PEER_BOUND_MS };
}
