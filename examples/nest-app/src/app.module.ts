import { Module } from '@nestjs/common';
import { HeartbeatModule } from '@heartbeat/nest';
import { AlertPublisher } from './alerts/alert-publisher.service.js';

@Module({
  imports: [
    HeartbeatModule.forRoot({
      path: '/ws',
      // The token each client sends in `hello`. Check a real one here (a JWT, a session lookup).
      verifyToken: (token) => token === (process.env.WS_TOKEN ?? 'dev-token'),
      // The pages allowed to connect, by origin: your site, and your dev server (ng serve's is
      // http://localhost:4200). Node clients send no Origin, so a list refuses them; a function
      // such as (origin) => origin === undefined || origins.includes(origin) lets them in too.
      allowedOrigins: (process.env.ALLOWED_ORIGINS ?? 'http://localhost:4200').split(','),
    }),
  ],
  providers: [AlertPublisher],
})
export class AppModule {}
