import { InjectionToken } from '@angular/core';
import type { ConnectionPhase, ConnectionStatus } from '@heartbeat/client';

/** Every text `<hb-websocket-status>` shows or announces. Functions fill in numbers. */
export interface HeartbeatStatusTexts {
  /** The indicator's label per status (in Chinese 已连接, 连接中, 连接错误, 已断开: docs/angular.md#texts-and-languages). */
  readonly statuses: Readonly<Record<ConnectionStatus, string>>;
  /** Why the status is what it is, shown in the details panel. */
  readonly phases: Readonly<Record<ConnectionPhase, string>>;
  /** Accessible name of the indicator button, e.g. "WebSocket connection: Connected". */
  readonly indicatorName: (status: string) => string;
  /** Spoken by screen readers when the status changes. */
  readonly announcement: (status: string) => string;
  readonly detailsTitle: string;
  readonly connectedAt: string;
  readonly connectedFor: (duration: string) => string;
  readonly reconnectCount: string;
  readonly reconnectAttempts: string;
  readonly attemptOf: (attempt: number, max: number) => string;
  readonly nextAttempt: string;
  readonly nextAttemptIn: (seconds: number) => string;
  readonly pingCount: string;
  readonly pongCount: string;
  readonly missedPongs: string;
  readonly lastPing: string;
  readonly lastPong: string;
  readonly rtt: string;
  readonly rttValue: (lastMs: number, smoothedMs: number | null) => string;
  readonly clockOffset: string;
  readonly error: string;
  /** Shown where a value does not exist yet (never connected, no pong yet, no error). */
  readonly none: string;
  readonly milliseconds: (ms: number) => string;
  readonly duration: (ms: number) => string;
  readonly reconnect: string;
  readonly disconnect: string;
  readonly sendPing: string;
  readonly reset: string;
  readonly autoReconnect: string;
}

/** Partial texts for withStatusTexts(): `statuses` and `phases` may be partial too. */
export type HeartbeatStatusTextsOverride = Partial<Omit<HeartbeatStatusTexts, 'statuses' | 'phases'>> & {
  readonly statuses?: Partial<HeartbeatStatusTexts['statuses']>;
  readonly phases?: Partial<HeartbeatStatusTexts['phases']>;
};

const signed = (ms: number) => `${ms > 0 ? '+' : ''}${Math.round(ms)}`;

function splitDuration(ms: number): [hours: number, minutes: number, seconds: number] {
  const total = Math.max(0, Math.floor(ms / 1000));
  return [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
}

export const HEARTBEAT_STATUS_TEXTS_EN: HeartbeatStatusTexts = /* @__PURE__ */ Object.freeze<HeartbeatStatusTexts>({
  statuses: { connected: 'Connected', connecting: 'Connecting', error: 'Connection error', disconnected: 'Disconnected' },
  phases: {
    idle: 'Not connected',
    connecting: 'Opening the connection',
    connected: 'Connection is healthy',
    backoff: 'Waiting to reconnect',
    suspended: 'Reconnect attempts ran out; retrying slowly',
    offline: 'The browser is offline; waiting for the network',
    failed: 'Gave up reconnecting',
  },
  indicatorName: (status) => `WebSocket connection: ${status}`,
  announcement: (status) => `WebSocket connection status: ${status}`,
  detailsTitle: 'WebSocket connection',
  connectedAt: 'Connected at',
  connectedFor: (duration) => `for ${duration}`,
  reconnectCount: 'Reconnections',
  reconnectAttempts: 'Reconnect attempt',
  attemptOf: (attempt, max) => `${attempt} of ${max}`,
  nextAttempt: 'Next attempt',
  nextAttemptIn: (seconds) => `in ${seconds} s`,
  pingCount: 'Pings sent',
  pongCount: 'Pongs received',
  missedPongs: 'Missed pongs',
  lastPing: 'Last ping',
  lastPong: 'Last pong',
  rtt: 'Round-trip time',
  rttValue: (last, smoothed) => (smoothed === null ? `${Math.round(last)} ms` : `${Math.round(last)} ms (avg ${Math.round(smoothed)} ms)`),
  clockOffset: 'Clock offset',
  error: 'Error',
  none: '—',
  milliseconds: (ms) => `${signed(ms)} ms`,
  duration: (ms) => {
    const [h, m, s] = splitDuration(ms);
    if (h > 0) return `${h} h ${m} min`;
    if (m > 0) return `${m} min ${s} s`;
    return `${s} s`;
  },
  reconnect: 'Reconnect',
  disconnect: 'Disconnect',
  sendPing: 'Send ping',
  reset: 'Reset',
  autoReconnect: 'Auto-reconnect',
});

// Pure: an app that does not ask for the Chinese texts (withStatusTexts) leaves them out of its bundle.
export const HEARTBEAT_STATUS_TEXTS_ZH_CN: HeartbeatStatusTexts = /* @__PURE__ */ Object.freeze<HeartbeatStatusTexts>({
  statuses: { connected: '已连接', connecting: '连接中', error: '连接错误', disconnected: '已断开' },
  phases: {
    idle: '未连接',
    connecting: '正在建立连接',
    connected: '连接正常',
    backoff: '等待重连',
    suspended: '重连次数已用完，正在低频重试',
    offline: '浏览器处于离线状态，等待网络恢复',
    failed: '已停止重连',
  },
  indicatorName: (status) => `WebSocket 连接：${status}`,
  announcement: (status) => `WebSocket 连接状态：${status}`,
  detailsTitle: 'WebSocket 连接',
  connectedAt: '连接时间',
  connectedFor: (duration) => `已持续 ${duration}`,
  reconnectCount: '重连次数',
  reconnectAttempts: '重连进度',
  attemptOf: (attempt, max) => `第 ${attempt} / ${max} 次`,
  nextAttempt: '下次重连',
  nextAttemptIn: (seconds) => `${seconds} 秒后`,
  pingCount: 'Ping 次数',
  pongCount: 'Pong 次数',
  missedPongs: '未响应次数',
  lastPing: '最后 ping 时间',
  lastPong: '最后 pong 时间',
  rtt: '往返时延',
  rttValue: (last, smoothed) =>
    smoothed === null ? `${Math.round(last)} 毫秒` : `${Math.round(last)} 毫秒（平均 ${Math.round(smoothed)} 毫秒）`,
  clockOffset: '时钟偏差',
  error: '错误信息',
  none: '—',
  milliseconds: (ms) => `${signed(ms)} 毫秒`,
  duration: (ms) => {
    const [h, m, s] = splitDuration(ms);
    if (h > 0) return `${h} 小时 ${m} 分`;
    if (m > 0) return `${m} 分 ${s} 秒`;
    return `${s} 秒`;
  },
  reconnect: '立即重连',
  disconnect: '断开连接',
  sendPing: '发送 ping',
  reset: '重置状态',
  autoReconnect: '自动重连',
});

/** English everywhere except Chinese locales (zh, zh-CN, zh-Hans, zh-TW, …), which get Simplified Chinese. */
export function statusTextsForLocale(locale: string): HeartbeatStatusTexts {
  return /^zh(?:[-_]|$)/i.test(locale) ? HEARTBEAT_STATUS_TEXTS_ZH_CN : HEARTBEAT_STATUS_TEXTS_EN;
}

export function mergeStatusTexts(base: HeartbeatStatusTexts, override: HeartbeatStatusTextsOverride): HeartbeatStatusTexts {
  return {
    ...base,
    ...override,
    statuses: { ...base.statuses, ...override.statuses },
    phases: { ...base.phases, ...override.phases },
  };
}

/**
 * The texts of `<hb-websocket-status>`: English unless withStatusTexts() says otherwise, so that an
 * app carries the Chinese texts only when it asks for them (docs/angular.md#texts-and-languages).
 */
export const HEARTBEAT_STATUS_TEXTS = new InjectionToken<HeartbeatStatusTexts>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_STATUS_TEXTS' : '',
  {
    providedIn: 'root',
    factory: () => HEARTBEAT_STATUS_TEXTS_EN,
  },
);
