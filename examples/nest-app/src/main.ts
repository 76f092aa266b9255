import { NestFactory } from '@nestjs/core';
import { HeartbeatWsAdapter } from '@heartbeat/nest';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // Before listen(): the Heartbeat endpoint needs its adapter, built with the app's own `ws`.
  app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
  // SIGTERM drains the clients over the drain window instead of dropping them all at once.
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? 'localhost');
  console.log(`Heartbeat example listening on ${await app.getUrl()} (WebSocket endpoint /ws)`);
}

void bootstrap();
