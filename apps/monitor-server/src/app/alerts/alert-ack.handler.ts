import { HeartbeatHandler, HeartbeatService } from '@heartbeat/nest';
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ALERT_ACK_MESSAGE_TOPIC, type AcknowledgeAnswer, AlertAcknowledgements, InvalidAcknowledgement } from './alert-acknowledgements.js';

/**
 * Operators acknowledging alerts (docs/server.md#alerts): a `request` on `alerts.ack` is answered
 * with the recorded acknowledgement and whether it was one already; data without an alert id is
 * answered with an error sentence. The `alerts.ack` messages of older dashboards go through the same
 * AlertAcknowledgements, which this provider starts and stops.
 */
@Injectable()
export class AlertAckHandler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly acknowledgements: AlertAcknowledgements;

  constructor(heartbeat: HeartbeatService) {
    this.acknowledgements = new AlertAcknowledgements(heartbeat);
  }

  onApplicationBootstrap(): void {
    this.acknowledgements.start();
  }

  onModuleDestroy(): void {
    this.acknowledgements.stop();
  }

  @HeartbeatHandler(ALERT_ACK_MESSAGE_TOPIC)
  acknowledge(data: unknown): AcknowledgeAnswer {
    try {
      return this.acknowledgements.acknowledge(data);
    } catch (error) {
      if (error instanceof InvalidAcknowledgement) throw new WsException(error.message);
      throw error;
    }
  }
}
