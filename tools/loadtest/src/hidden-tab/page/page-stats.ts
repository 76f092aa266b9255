/** What a measured tab's client counted, read by the hidden-tab measurement through `window.hiddenTabStats()`. */
export interface PageStats {
  connected: boolean;
  /** Connections opened, the first one included. */
  connects: number;
  /** Open connections that were lost. */
  drops: number;
  /** Events of the measured topic (Heartbeat) or event name (Socket.IO) received. */
  events: number;
  /** Pings the client sent on its own: Heartbeat's client heartbeat; Socket.IO's client sends none. */
  clientPings: number;
  /** Answers to those pings. */
  clientPongs: number;
  /** Pings of the server the client answered. */
  serverPings: number;
  /** Heartbeat only (docs/client.md#state): when the client's last ping left and its last pong came, epoch ms. */
  lastPingAt: number | null;
  lastPongAt: number | null;
}

/** The page's own settings, from its URL: where its server is and what to listen to. */
export interface PageSettings {
  url: string;
  /** Heartbeat only. */
  token: string | undefined;
  topic: string;
}

export function pageSettings(search: string): PageSettings {
  const params = new URLSearchParams(search);
  const read = (name: string) => {
    const value = params.get(name);
    if (!value) throw new Error(`The page's URL has no ${name} parameter: open it through npm run bench:hidden-tab, which sets them.`);
    return value;
  };
  return { url: read('url'), token: params.get('token') ?? undefined, topic: read('topic') };
}

declare global {
  interface Window {
    hiddenTabStats?: () => PageStats;
  }
}
