import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { HeartbeatModule } from '../lib/heartbeat.module.js';
import { HeartbeatService } from '../lib/heartbeat.service.js';
import type { HeartbeatModuleOptions } from '../lib/core/heartbeat-options.interface.js';
import { HeartbeatWsAdapter } from '../lib/heartbeat-ws.adapter.js';

export interface TestApp {
  app: INestApplication;
  service: HeartbeatService;
  port: number;
  /** ws://127.0.0.1:<port><path> */
  url: string;
  close(): Promise<void>;
}

/** A real Nest application with HeartbeatModule, listening on an ephemeral loopback port. */
export async function startTestApp(
  options: HeartbeatModuleOptions = {},
  metadata: ModuleMetadata = {},
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [HeartbeatModule.forRoot(options), ...(metadata.imports ?? [])],
  }).compile();
  return listen(moduleRef.createNestApplication({ logger: false }), options.path);
}

/** Starts an already created application the way main.ts would, on an ephemeral loopback port. */
export async function listen(app: INestApplication, path = '/ws'): Promise<TestApp> {
  app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    service: app.get(HeartbeatService),
    port,
    url: `ws://127.0.0.1:${port}${path}`,
    close: () => app.close(),
  };
}
