import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HeartbeatService } from '@heartbeat/nest';

export interface ModerationAlert {
  id: string;
  category: 'spam' | 'hate' | 'violence' | 'self-harm';
  risk: number;
  created_at: string;
}

const CATEGORIES: ModerationAlert['category'][] = ['spam', 'hate', 'violence', 'self-harm'];

/** Publishes a moderation alert on the `alerts` topic every second. */
@Injectable()
export class AlertPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertPublisher.name);
  private timer: NodeJS.Timeout | undefined;
  private published = 0;

  constructor(private readonly heartbeat: HeartbeatService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.publishNext(), Number(process.env.ALERT_INTERVAL_MS ?? 1000));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async publishNext(): Promise<void> {
    this.published += 1;
    const alert: ModerationAlert = {
      id: `alert-${this.published}`,
      category: CATEGORIES[this.published % CATEGORIES.length],
      risk: Math.round(Math.random() * 100) / 100,
      created_at: new Date().toISOString(),
    };
    try {
      // Subscribers get it with the topic's next seq; a client that reconnects resumes after its last.
      await this.heartbeat.publish('alerts', alert);
    } catch (error) {
      this.logger.warn(`Alert ${alert.id} was not published: ${(error as Error).message}`);
    }
  }
}
