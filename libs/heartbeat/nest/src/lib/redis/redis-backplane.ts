import { eventFrameParts } from '@heartbeat/protocol';
import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { randomBytes, randomUUID } from 'node:crypto';
import { filter, map, type Observable, share, type Subscription, tap } from 'rxjs';
import type { Clock } from '../clock.js';
import {
  Backplane,
  type BackplaneEvent,
  type ClusterStatus,
  type ControlAnswers,
  type ControlReply,
  type ControlRequest,
  type EventPosition,
  isComplete,
  type LocalNode,
  newEpoch,
  type NodeReport,
  type TopicHistory,
} from '../core/backplane.js';
import { ReplayBuffer } from '../core/replay-buffer.js';
import { errorText, HeartbeatMessages } from '../core/heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from '../core/heartbeat-options.interface.js';
import { RedisBacklog } from './redis-backlog.js';
import type { RedisLink } from './redis-link.js';

/** How long a node remembers its last applied publish in Redis (resends come within seconds). */
const PUBLISHER_TTL_MS = 86_400_000;

export const REDIS_REPORT_INTERVAL = 'heartbeat:redis-report';

/** Requests and replies on the control channels: the request's fields with its id and its sender. */
type ControlMessage = ControlRequest & { request: string; from: string };
type ReplyMessage = ControlReply & { request: string; node: string };

/** The last events this node saw of a topic, contiguous: what it answers a `subscribe` from while Redis is away. */
interface RecentTopic extends EventPosition {
  buffer: ReplayBuffer;
}

/**
 * Every node on one Redis (docs/scaling.md). A publish runs one script that increments the topic's
 * seq, appends the event to the topic's stream (the replay buffer, trimmed by count and age) and
 * publishes it on the topic's channel, so every node — the publisher too — sees the same events in
 * the same order. Nodes list themselves with a report every `statsInterval`, and ask each other for
 * stats and disconnects on a control channel.
 */
export class RedisBackplane extends Backplane {
  readonly events$: Observable<BackplaneEvent>;
  private readonly logger = new Logger('HeartbeatRedis');
  /** Publishes are numbered per process, so that Redis can recognize one resent after a lost reply. */
  private readonly publisherId: string;
  private publishCounter = 0;
  private readonly publishes: RedisBacklog;
  private readonly recent = new Map<string, RecentTopic>();
  private readonly waiting = new Map<string, (node: string, reply: ControlReply) => void>();
  private readonly subscriptions: Subscription[] = [];
  private node: LocalNode | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly options: ResolvedHeartbeatOptions,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {
    super();
    this.publisherId = `${link.options.nodeId}:${randomBytes(4).toString('hex')}`;
    this.publishes = new RedisBacklog(link.options.maxPendingPublishes, HeartbeatMessages.redisPublishBacklog);
    this.events$ = link.messages$.pipe(
      map(({ channel, message }) => {
        const topic = link.keys.topicOfEvents(channel);
        return topic === undefined ? undefined : parseLive(topic, message);
      }),
      filter((event): event is BackplaneEvent => event !== undefined),
      tap((event) => this.remember(event)),
      share(),
    );
  }

  get nodeId(): string {
    return this.link.options.nodeId;
  }

  get isUp(): boolean {
    return this.link.state.up;
  }

  get ready$(): Observable<void> {
    return this.link.ready$;
  }

  /**
   * Connects the link, then listens for requests and starts reporting. Redis may still be away:
   * both wait for it.
   */
  async start(node: LocalNode): Promise<void> {
    this.node = node;
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
  async stop(): Promise<void> {
    if (this.scheduler.doesExist('interval', REDIS_REPORT_INTERVAL)) this.scheduler.deleteInterval(REDIS_REPORT_INTERVAL);
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    if (this.link.state.up) {
      const { keys } = this.link;
      await this.link.commands.multi().zrem(keys.nodes(), this.nodeId).del(keys.node(this.nodeId)).exec().catch(() => undefined);
    }
    await this.link.stop();
  }

  /** Channel subscriptions are kept for the node's lifetime: topics are few, re-subscribing costs a round trip. */
  watch(topic: string): Promise<void> {
    return this.link.listenToTopic(this.link.keys.events(topic));
  }

  async append(topic: string, data: unknown): Promise<EventPosition> {
    // Encoded before anything is sent: data that cannot be encoded must not burn a seq.
    const parts = eventFrameParts(topic, data, new Date(this.clock.now()).toISOString());
    const { keys } = this.link;
    const [seq, epoch] = await this.publishes.run(() =>
      this.link.commands.heartbeatAppend(
        keys.topic(topic),
        keys.stream(topic),
        keys.publisher(this.publisherId, topic),
        newEpoch(),
        ++this.publishCounter,
        this.options.replay.maxEvents,
        this.options.replay.maxAgeMs,
        parts.before,
        parts.between,
        parts.after,
        keys.events(topic),
        PUBLISHER_TTL_MS,
        this.link.sharded ? 'SPUBLISH' : 'PUBLISH',
        this.publishes.limit,
      ),
    );
    return { seq: Number(seq), epoch };
  }

  /**
   * From Redis, or, while Redis is away, from the events this node saw last (good enough for a
   * client that reconnected to this node). A topic this node never saw waits for Redis.
   */
  async readSince(topic: string, since: number | undefined): Promise<TopicHistory> {
    const recent = this.recent.get(topic);
    if (!this.link.state.up && recent) return recent.buffer.history(topic, recent.epoch, recent.seq, since, this.clock.now());
    const { keys } = this.link;
    const [epoch, head, entries] = await this.link.commands.heartbeatRead(
      keys.topic(topic),
      keys.stream(topic),
      newEpoch(),
      since ?? -1,
      this.options.replay.maxEvents,
      this.options.replay.maxAgeMs,
    );
    const seq = Number(head);
    const events: BackplaneEvent[] = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const [id, fields] = entries[i];
      const eventSeq = Number(id.slice(id.indexOf('-') + 1));
      if (since !== undefined && eventSeq > since) events.push({ topic, seq: eventSeq, epoch, text: fields[1] });
    }
    if (!recent || recent.epoch !== epoch || recent.seq < seq) this.restartRecent(topic, { epoch, seq }, events);
    return { epoch, seq, events, complete: isComplete(since, seq, events) };
  }

  async request(request: ControlRequest, done?: (reply: ControlReply) => boolean): Promise<ControlAnswers> {
    if (!this.link.state.up) return { peers: [], replies: new Map() };
    const now = this.clock.now();
    const peers = (await this.nodes()).filter((report) => report.node_id !== this.nodeId);
    const fresh = new Set(peers.filter((report) => now - report.reported_at <= this.link.options.staleAfter).map((report) => report.node_id));
    return { peers, replies: await this.ask({ ...request, request: randomUUID(), from: this.nodeId }, fresh, done) };
  }

  /** Every listed node's last report (a node's report outlives its last word by 10 × staleAfter). */
  async nodes(): Promise<NodeReport[]> {
    const { keys } = this.link;
    const ids = await this.link.commands.zrange(keys.nodes(), '0', '-1');
    if (ids.length === 0) return [];
    const texts = await this.link.commands.mget(ids.map((id) => keys.node(id)));
    return texts.flatMap((text) => (text === null ? [] : [JSON.parse(text) as NodeReport]));
  }

  status(): ClusterStatus {
    const { up, since, outages, lastError } = this.link.state;
    return { mode: 'redis', nodeId: this.nodeId, redis: { up, since, outages, lastError, pendingPublishes: this.publishes.pending } };
  }

  /** Keeps the topic's last events, contiguous: after a hole it starts over from the event after it. */
  private remember(event: BackplaneEvent): void {
    const recent = this.recent.get(event.topic);
    if (recent?.epoch === event.epoch && event.seq <= recent.seq) return;
    if (recent?.epoch !== event.epoch || event.seq !== recent.seq + 1) {
      this.restartRecent(event.topic, { epoch: event.epoch, seq: event.seq }, [event]);
      return;
    }
    recent.seq = event.seq;
    recent.buffer.push({ seq: event.seq, at: this.clock.now(), text: event.text });
  }

  /** `events` end at `head` (oldest first, contiguous). */
  private restartRecent(topic: string, head: EventPosition, events: readonly BackplaneEvent[]): void {
    const buffer = new ReplayBuffer(this.options.replay.maxEvents, this.options.replay.maxAgeMs);
    const now = this.clock.now();
    for (const event of events) buffer.push({ seq: event.seq, at: now, text: event.text });
    this.recent.set(topic, { epoch: head.epoch, seq: head.seq, buffer });
  }

  /** Publishes a request and collects the answers of `nodes` until all came, `done` says so, or the timeout. */
  private ask(message: ControlMessage, nodes: ReadonlySet<string>, done?: (reply: ControlReply) => boolean): Promise<Map<string, ControlReply>> {
    const answers = new Map<string, ControlReply>();
    if (nodes.size === 0) return Promise.resolve(answers);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiting.delete(message.request);
        resolve(answers);
      };
      const timer = setTimeout(finish, this.link.options.requestTimeout);
      this.waiting.set(message.request, (node, reply) => {
        if (!nodes.has(node)) return;
        answers.set(node, reply);
        if (answers.size === nodes.size || done?.(reply)) finish();
      });
      this.link.commands.publish(this.link.keys.control(), JSON.stringify(message)).catch(finish);
    });
  }

  private answer(text: string): void {
    const message = parse<ControlMessage>(text);
    if (!message || message.from === this.nodeId || !this.node) return;
    const { request: id, from, ...request } = message;
    const reply: ReplyMessage = { ...this.node.answer(request as ControlRequest), request: id, node: this.nodeId };
    this.link.commands.publish(this.link.keys.replies(from), JSON.stringify(reply)).catch(() => undefined);
  }

  private receive(text: string): void {
    const message = parse<ReplyMessage>(text);
    if (!message) return;
    const { request: id, node, ...reply } = message;
    this.waiting.get(id)?.(node, reply as ControlReply);
  }

  private async report(): Promise<void> {
    if (!this.link.state.up || !this.node) return;
    const { keys, options } = this.link;
    const now = this.clock.now();
    const report: NodeReport = { node_id: this.nodeId, reported_at: now, heartbeat_stats: this.node.totals() };
    await this.link.commands
      .multi()
      // Kept well past staleAfter, so that a stopped node is listed as stale for a while rather than vanishing.
      .set(keys.node(this.nodeId), JSON.stringify(report), 'PX', Math.max(options.staleAfter * 10, 60_000))
      .zadd(keys.nodes(), now, this.nodeId)
      .zremrangebyscore(keys.nodes(), '-inf', String(now - 86_400_000))
      .exec()
      .catch((error: unknown) => this.logger.warn(HeartbeatMessages.logRedisReportFailed(errorText(error))));
  }
}

/** Pub/Sub payload `<seq> <epoch> <event frame>`: the position is read without parsing the frame. */
function parseLive(topic: string, message: string): BackplaneEvent | undefined {
  const first = message.indexOf(' ');
  const second = message.indexOf(' ', first + 1);
  if (first <= 0 || second <= first) return undefined;
  const seq = Number(message.slice(0, first));
  return Number.isSafeInteger(seq) && seq > 0 ? { topic, seq, epoch: message.slice(first + 1, second), text: message.slice(second + 1) } : undefined;
}

function parse<T>(message: string): T | undefined {
  try {
    return JSON.parse(message) as T;
  } catch {
    return undefined;
  }
}
