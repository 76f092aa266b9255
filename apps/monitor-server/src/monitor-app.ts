/**
 * The monitor server's application for tools that run it in their own process (the benchmark's
 * server, tools/loadtest): built into dist/monitor-app.js beside dist/main.js, sharing its chunks, so
 * that `HeartbeatService` here is the class the application's injector holds (an import of
 * `@heartbeat/nest` from outside the bundle would be another copy of it).
 */
export { HeartbeatService } from '@heartbeat/nest';
export { loadMonitorConfig } from './app/config/monitor-config.js';
export { createMonitorApp, listenMonitorApp } from './app/create-monitor-app.js';
