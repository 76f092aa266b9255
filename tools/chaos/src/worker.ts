/**
 * A chaos worker process: either a group of HeartbeatClients (optionally behind a chaos proxy that
 * can cut their connections), or a sender of bad frames. Driven by run.ts over IPC (ipc.ts).
 */
import { serveChannel } from '@heartbeat/testing/child-channel';
import { HeartbeatClient, withNodeDiagnostics } from '@heartbeat/client';
import { WebSocket } from 'ws';
import { runAttack } from './lib/attacker.js';
import { ChaosProxy } from './lib/chaos-proxy.js';
import type { ChaosWorkerApi, ClientReport, ClientsSpec, ClientsStatus, CutKind, CutRecord, GapRecord } from './lib/ipc.js';
import { SeqTracker } from './lib/seq-tracker.js';
import { WireTracker } from './lib/wire-tracker.js';

interface ClientRecord {
  readonly index: number;
  readonly localAddress: string;
  readonly client: HeartbeatClient;
  readonly track: SeqTracker;
  socket: WebSocket | null;
  gaps: GapRecord[];
  resumed: number;
  established: ClientReport['established'];
  lost: ClientReport['lost'];
  cuts: CutRecord[];
  pendingCut: CutRecord | null;
  wireEvents: number;
  delivered: number;
  /** Set when the spec asks for the wire to be checked too. */
  readonly wire: WireTracker | null;
}

const EVENT_PREFIX = Buffer.from('{"type":"event"');
const records: ClientRecord[] = [];
let proxy: ChaosProxy | null = null;

function socketClass(record: () => ClientRecord, localAddress: string) {
  return class ChaosWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { localAddress, perMessageDeflate: false });
      const owner = record();
      owner.socket = this;
      owner.wire?.connected();
      this.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary || !Buffer.isBuffer(data)) return;
        if (data.subarray(0, EVENT_PREFIX.length).equals(EVENT_PREFIX)) owner.wireEvents++;
        owner.wire?.frame(data.toString());
      });
    }
  };
}

/** The client's own end of its current connection, `address:port` (the proxy knows connections by it). */
function clientEnd(record: ClientRecord): string | undefined {
  const socket = (record.socket as unknown as { _socket?: { localAddress?: string; localPort?: number } } | null)?._socket;
  return socket?.localPort === undefined ? undefined : `${socket.localAddress}:${socket.localPort}`;
}

async function start(spec: ClientsSpec): Promise<{ connected: number }> {
  let urls = spec.urls;
  if (spec.proxy) {
    if (urls.length !== 1) throw new Error(`a worker with a proxy serves one server, not ${urls.length}`);
    const target = new URL(urls[0] as string);
    proxy = await ChaosProxy.start(Number(target.port), spec.proxy.upstreamAddresses);
    target.host = `127.0.0.1:${proxy.port}`;
    urls = [target.toString()];
  }
  const connects: Promise<unknown>[] = [];
  for (let index = 0; index < spec.count; index++) {
    const localAddress = spec.localAddresses[index % spec.localAddresses.length] as string;
    // The socket class needs the record, the record needs the client: resolved through a holder.
    const holder: { record?: ClientRecord } = {};
    const client = new HeartbeatClient({
      url: urls[index % urls.length] as string,
      token: spec.token,
      webSocket: socketClass(() => holder.record as ClientRecord, localAddress),
      clientInfo: { name: 'chaos', version: '1' },
      // A failed first connection names its cause from what ws reports (docs/client.md#features).
      features: [withNodeDiagnostics()],
      ...spec.options,
    });
    const owner: ClientRecord = {
      index,
      localAddress,
      client,
      track: new SeqTracker(),
      socket: null,
      gaps: [],
      resumed: 0,
      established: [],
      lost: [],
      cuts: [],
      pendingCut: null,
      wireEvents: 0,
      delivered: 0,
      wire: spec.wire ? new WireTracker(spec.topic) : null,
    };
    holder.record = owner;
    records.push(owner);
    client.on('connection_established', ({ at, resumed, reconnect }) => {
      owner.established.push({ at, resumed, reconnect });
      if (owner.pendingCut) {
        owner.pendingCut.backAt = at;
        owner.cuts.push(owner.pendingCut);
        owner.pendingCut = null;
      }
    });
    client.on('connection_lost', ({ at, code }) => {
      owner.lost.push({ at, code });
      if (owner.pendingCut && owner.pendingCut.lostAt === null) {
        owner.pendingCut.lostAt = at;
        owner.pendingCut.lostCode = code;
      }
    });
    client.on('gap', (gap) => {
      owner.gaps.push({ at: Date.now(), ...gap });
      owner.track.gap(gap.epoch);
    });
    client.on('resumed', () => owner.resumed++);
    client.subscribe(spec.topic).subscribe((event) => {
      owner.delivered++;
      owner.track.event(event.epoch, event.seq);
    });
    connects.push(client.connect().catch(() => undefined));
    if (spec.connectSpreadMs) await sleep(spec.connectSpreadMs / spec.count);
  }
  await Promise.race([Promise.all(connects), sleep(spec.connectTimeoutMs ?? 20_000)]);
  return { connected: records.filter((r) => r.client.state.phase === 'connected').length };
}

function status(epoch: string): ClientsStatus {
  let minLast = Infinity;
  for (const record of records) minLast = Math.min(minLast, record.track.epochs.get(epoch)?.last ?? -1);
  return {
    total: records.length,
    connected: records.filter((r) => r.client.state.phase === 'connected').length,
    minLast: records.length ? minLast : -1,
  };
}

function cut(kind: CutKind): { applied: boolean } {
  if (!proxy) throw new Error('cut needs a worker started with a proxy');
  const candidates = records.filter((r) => {
    const end = clientEnd(r);
    return r.client.state.phase === 'connected' && r.pendingCut === null && end !== undefined && proxy?.isForwarding(end);
  });
  const record = candidates[Math.floor(Math.random() * candidates.length)];
  if (!record) return { applied: false };
  const at = Date.now();
  if (!proxy.cut(clientEnd(record) as string, kind)) return { applied: false };
  record.pendingCut = { kind, at, lostAt: null, lostCode: null, backAt: null };
  return { applied: true };
}

function report() {
  const clients: ClientReport[] = records.map((r) => ({
    index: r.index,
    localAddress: r.localAddress,
    phase: r.client.state.phase,
    reconnectCount: r.client.state.reconnectCount,
    epochs: r.track.toJSON(),
    gaps: r.gaps,
    resumed: r.resumed,
    established: r.established,
    lost: r.lost,
    cuts: r.pendingCut ? [...r.cuts, r.pendingCut] : r.cuts,
    wireEvents: r.wireEvents,
    delivered: r.delivered,
    ...(r.wire ? { wire: r.wire.toJSON() } : {}),
  }));
  return { pid: process.pid, clients, proxy: proxy ? { ...proxy.stats } : null };
}

async function stop(): Promise<null> {
  for (const record of records) record.client.destroy();
  await proxy?.close();
  return null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Answers until the orchestrator goes away, then exits: a worker never lingers.
serveChannel<ChaosWorkerApi>(
  {
    start,
    status: ({ epoch }) => status(epoch),
    cut: ({ kind }) => cut(kind),
    report: () => report(),
    attack: runAttack,
    stop: () => stop(),
  },
  { pid: process.pid },
);
