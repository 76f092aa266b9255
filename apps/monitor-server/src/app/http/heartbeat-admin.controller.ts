import { type HeartbeatStats, HeartbeatService } from '@heartbeat/nest';
import { CloseCode, type PresenceMember, topicNameProblem } from '@heartbeat/protocol';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import { AdminTokenGuard } from './admin-token.guard.js';

/** The answer of `POST /api/heartbeat/topics/:topic/events`: where the event stands in its topic. */
export interface PublishedEvent {
  topic: string;
  seq: number;
  epoch: string;
}

/** The answer of `GET /api/heartbeat/topics/:topic/presence`: the topic's members, oldest first. */
export interface TopicPresence {
  topic: string;
  members: PresenceMember[];
}

/** The admin API: heartbeat statistics, kicking a connection, publishing to a topic, a topic's presence. */
@Controller('api/heartbeat')
@UseGuards(AdminTokenGuard)
export class HeartbeatAdminController {
  constructor(private readonly heartbeat: HeartbeatService) {}

  /** The whole cluster in Redis mode: every node's connections, the totals of the nodes that answered, stale nodes marked. */
  @Get('stats')
  stats(): Promise<HeartbeatStats> {
    return this.heartbeat.getStats();
  }

  /** Closes the connection with 4003 (kicked by an administrator) on whichever node holds it: its client stays disconnected. */
  @Delete('connections/:id')
  @HttpCode(204)
  async disconnect(@Param('id') id: string): Promise<void> {
    if (!(await this.heartbeat.disconnect(id, CloseCode.Kicked))) {
      throw new NotFoundException(`No open connection has the id "${id}"; it may have closed already.`);
    }
  }

  /**
   * Publishes the JSON body as the topic's next event, to its subscribers on every node
   * (docs/server.md#routes). The body was parsed by EVENT_BODY_PARSER (create-monitor-app.ts).
   */
  @Post('topics/:topic/events')
  async publish(@Param('topic') topic: string, @Req() request: Request, @Body() data: unknown): Promise<PublishedEvent> {
    checkTopicName(topic);
    if (!request.is('application/json')) {
      throw new BadRequestException('The event\'s data must be sent as JSON with Content-Type: application/json.');
    }
    try {
      const { seq, epoch } = await this.heartbeat.publish(topic, data);
      return { topic, seq, epoch };
    } catch (error) {
      // Redis has been away so long that the publish backlog is full: the event is not published.
      throw new ServiceUnavailableException((error as Error).message);
    }
  }

  /**
   * Who is present on the topic, on every node (docs/server.md#presence): each user with an
   * identified connection subscribed to it, their connection count and since when (epoch ms). A
   * topic without presence in the module's `presence` option has no members.
   */
  @Get('topics/:topic/presence')
  async presence(@Param('topic') topic: string): Promise<TopicPresence> {
    checkTopicName(topic);
    try {
      return { topic, members: await this.heartbeat.presence(topic) };
    } catch (error) {
      // Redis failed the read: nobody can say who is present right now.
      throw new ServiceUnavailableException((error as Error).message);
    }
  }
}

/** A topic of a route: 400 with the sentence of topicNameProblem when it is not a topic name. */
function checkTopicName(topic: string): void {
  const problem = topicNameProblem(topic);
  if (problem) throw new BadRequestException(problem);
}
