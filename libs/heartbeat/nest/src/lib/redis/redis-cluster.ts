import type { HeartbeatStats, HeartbeatTotals, NodeStats } from '@heartbeat/protocol';
import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { Clock } from '../clock.js';
import type { ConnectionRegistry } from '../core/connection-registry.js';
import { HeartbeatCluster, type ClusterStatus } from '../heartbeat-cluster.js';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';
import { assertCloseFrame } from '../core/heartbeat-connection.js';
import type { LocalStats } from '../local-stats.js';
import type { RedisLink } from './redis-link.js';
import type { RedisTopicBroker } from './redis-topic-broker.js';
import { sumTotals } from './sum-totals.js';

/** Requests on the control channel; every node answers on the requester's reply channel. */
type ControlRequest =
  | { kind: 'stats'; request: string; from: string }
  | { kind: 'disconnect'; request: string; from: string; id: string; code: number; reason: string };

type ControlReply =
  | { kind: 'stats'; request: string; node: string; stats: HeartbeatStats; at: number }
  | { kind: 'disconnect'; request: string; node: string; closed: boolean };

/** A node's periodic report: enough to list it, and to show its last figures once it went quiet. */
interface NodeReport {
  node_id: string;
  reported_at: number;
  heartbeat_stats: HeartbeatTotals;
}

export const REDIS_REPORT_INTERVAL = 'heartbeat:redis-report';

/**
 * The cluster seen from one node. Every node writes a small report (its totals) every
 * `statsInterval`; that is how nodes know of each other and when one went quiet. Stats and
 * disconnects are requests on a control channel: each live node answers for its own connections.
 */
export class RedisCluster extends HeartbeatCluster {
  private readonly logger = new Logger('HeartbeatRedis');
  private readonly waiting = new Map<string, (reply: ControlReply) => void>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly link: RedisLink,
    private readonly local: LocalStats,
    private readonly registry: ConnectionRegistry,
    private readonly broker: RedisTopicBroker,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {
    super();
  }

  get nodeId(): string {
    return this.link.options.nodeId;
  }

  /**
   * Connects the link (the cluster owns it: it must outlive the cluster's own shutdown work), then
   * listens for requests and starts reporting. Redis may still be away: both wait for it.
   */
  async onModuleInit(): Promise<void> {
    await this.link.start();
    const { keys } = this.link;
    const control = keys.control();
    const replies = keys.replies(this.nodeId);
    this.subscriptions.push(
      this.link.messages$.subscribe(({ channel, message }) => {
        if (channel === control) this.answer(message);
        else if (channel === replies) this.receive(message);
      }),
      this.link.ready$.subscribe(() => void this.report()),
    );
    this.link.listen(control, replies).catch((error: unknown) => this.logger.error(HeartbeatMessages.logRedisListenFailed(), error));
    this.scheduler.addInterval(REDIS_REPORT_INTERVAL, setInterval(() => void this.report(), this.link.options.statsInterval));
  }

  /**
   * After the drain: removes this node from the cluster's list (so that a clean shutdown is not shown
   * as a stale node), then closes the link.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', REDIS_REPORT_INTERVAL)) this.scheduler.deleteInterval(REDIS_REPORT_INTERVAL);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (this.link.state.up) {
      const { keys } = this.link;
      await this.link.commands.multi().zrem(keys.nodes(), this.nodeId).del(keys.node(this.nodeId)).exec().catch(() => undefined);
    }
    await this.link.stop();
  }

  async stats(): Promise<HeartbeatStats> {
    const own = this.local.stats(this.nodeId);
    const now = this.clock.now();
    const self: NodeStats = { node_id: this.nodeId, stale: false, reported_at: now, heartbeat_stats: own.heartbeat_stats };
    if (!this.link.state.up) return { ...own, nodes: [self] };
    const { peers, fresh } = await this.peers(now);
    const answers = await this.ask({ kind: 'stats', request: randomUUID(), from: this.nodeId }, fresh);
    const nodes: NodeStats[] = [self];
    const details = [...own.connection_details];
    for (const report of peers) {
      const answer = answers.get(report.node_id);
      if (answer?.kind === 'stats') {
        nodes.push({ node_id: report.node_id, stale: false, reported_at: answer.at, heartbeat_stats: answer.stats.heartbeat_stats });
        details.push(...answer.stats.connection_details);
      } else {
        nodes.push({ ...report, stale: true });
      }
    }
    const live = nodes.filter((node) => !node.stale).map((node) => node.heartbeat_stats);
    return { heartbeat_stats: sumTotals(live), connection_details: details, nodes };
  }

  async disconnect(id: string, code: number, reason: string): Promise<boolean> {
    assertCloseFrame(code, reason);
    if (this.registry.disconnect(id, code, reason)) return true;
    if (!this.link.state.up) return false;
    const { fresh } = await this.peers(this.clock.now());
    const answers = await this.ask({ kind: 'disconnect', request: randomUUID(), from: this.nodeId, id, code, reason }, fresh, (reply) =>
      reply.kind === 'disconnect' && reply.closed,
    );
    return [...answers.values()].some((reply) => reply.kind === 'disconnect' && reply.closed);
  }

  status(): ClusterStatus {
    const { up, since, outages, lastError } = this.link.state;
    return { mode: 'redis', nodeId: this.nodeId, redis: { up, since, outages, lastError, pendingPublishes: this.broker.pendingPublishes } };
  }

  /** The other nodes' last reports, and the ids of those recent enough to be asked (younger than staleAfter). */
  private async peers(now: number): Promise<{ peers: NodeReport[]; fresh: Set<string> }> {
    const peers = (await this.reports()).filter((report) => report.node_id !== this.nodeId);
    const fresh = new Set(peers.filter((report) => now - report.reported_at <= this.link.options.staleAfter).map((report) => report.node_id));
    return { peers, fresh };
  }

  /** Every listed node's last report (a node's report outlives its last word by 10 × staleAfter). */
  private async reports(): Promise<NodeReport[]> {
    const { keys } = this.link;
    const ids = await this.link.commands.zrange(keys.nodes(), '0', '-1');
    if (ids.length === 0) return [];
    const texts = await this.link.commands.mget(ids.map((id) => keys.node(id)));
    return texts.flatMap((text) => (text === null ? [] : [JSON.parse(text) as NodeReport]));
  }

  /** Publishes a request and collects the answers of `nodes` until all came, `done` says so, or the timeout. */
  private ask(request: ControlRequest, nodes: ReadonlySet<string>, done?: (reply: ControlReply) => boolean): Promise<Map<string, ControlReply>> {
    const answers = new Map<string, ControlReply>();
    if (nodes.size === 0) return Promise.resolve(answers);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiting.delete(request.request);
        resolve(answers);
      };
      const timer = setTimeout(finish, this.link.options.requestTimeout);
      this.waiting.set(request.request, (reply) => {
        if (!nodes.has(reply.node)) return;
        answers.set(reply.node, reply);
        if (answers.size === nodes.size || done?.(reply)) finish();
      });
      this.link.commands.publish(this.link.keys.control(), JSON.stringify(request)).catch(finish);
    });
  }

  private answer(message: string): void {
    const request = parse<ControlRequest>(message);
    if (!request || request.from === this.nodeId) return;
    const reply: ControlReply =
      request.kind === 'stats'
        ? { kind: 'stats', request: request.request, node: this.nodeId, stats: this.local.stats(this.nodeId), at: this.clock.now() }
        : { kind: 'disconnect', request: request.request, node: this.nodeId, closed: this.closeLocal(request.id, request.code, request.reason) };
    this.link.commands.publish(this.link.keys.replies(request.from), JSON.stringify(reply)).catch(() => undefined);
  }

  private closeLocal(id: string, code: number, reason: string): boolean {
    try {
      return this.registry.disconnect(id, code, reason);
    } catch {
      return false; // the requester validated code and reason; a newer node may accept codes this one does not
    }
  }

  private receive(message: string): void {
    const reply = parse<ControlReply>(message);
    if (reply) this.waiting.get(reply.request)?.(reply);
  }

  private async report(): Promise<void> {
    if (!this.link.state.up) return;
    const { keys, options } = this.link;
    const now = this.clock.now();
    const report: NodeReport = { node_id: this.nodeId, reported_at: now, heartbeat_stats: this.local.totals() };
    await this.link.commands
      .multi()
      // Kept well past staleAfter, so that a stopped node is listed as stale for a while rather than vanishing.
      .set(keys.node(this.nodeId), JSON.stringify(report), 'PX', Math.max(options.staleAfter * 10, 60_000))
      .zadd(keys.nodes(), now, this.nodeId)
      .zremrangebyscore(keys.nodes(), '-inf', String(now - 86_400_000))
      .exec()
      .catch((error: unknown) => this.logger.warn(HeartbeatMessages.logRedisReportFailed(error instanceof Error ? error.message : String(error))));
  }
}

function parse<T>(message: string): T | undefined {
  try {
    return JSON.parse(message) as T;
  } catch {
    return undefined;
  }
}
