import type { ClientQueryOptions } from './client-query-options';

/** What the dashboard learnt before it started: where to connect and how (from the server and the URL). */
export interface DashboardSettings {
  /** The WebSocket path, e.g. `/ws`. */
  wsPath: string;
  /** Client options from the URL query. */
  clientOptions: ClientQueryOptions;
}
