import { CloseCode, ProtocolErrorCode, type ServerFrame } from '@heartbeat/protocol';
import { TestClient, eventually } from '@heartbeat/testing';
import {
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  Catch,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
  Injectable,
  type ModuleMetadata,
  type NestInterceptor,
  NotFoundException,
  Scope,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConnectedSocket, MessageBody, WsException } from '@nestjs/websockets';
import { Test } from '@nestjs/testing';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { EMPTY, type Observable, map, of, throwError } from 'rxjs';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { HEARTBEAT_LOGGER } from './heartbeat.constants.js';
import { HeartbeatModule } from './heartbeat.module.js';
import { HeartbeatHandler } from './heartbeat-handler.decorator.js';
import { HeartbeatHandlers } from './heartbeat-handlers.js';
import type { HeartbeatRequestContext } from './heartbeat-request-context.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { type TestApp, listen } from '../testing/test-app.js';

class AckAlertDto {
  @IsInt()
  @Min(1)
  id!: number;

  @IsOptional()
  @IsString()
  note?: string;
}

/** A domain error of the application, which a filter of its own turns into an answer. */
class AlertGoneError extends Error {
  constructor(readonly alertId: number) {
    super(`alert ${alertId} is gone`);
  }
}

@Catch(AlertGoneError)
class AlertGoneFilter implements ExceptionFilter {
  catch(error: AlertGoneError): Observable<never> {
    return throwError(() => new WsException({ message: `Alert ${error.alertId} was already resolved.`, alertId: error.alertId }));
  }
}

/** Lets a request through when its data carries the password; reads the request context as a gateway guard reads its socket. */
@Injectable()
class PasswordGuard implements CanActivate {
  readonly seen: HeartbeatRequestContext[] = [];

  canActivate(context: ExecutionContext): boolean {
    const ws = context.switchToWs();
    this.seen.push(ws.getClient<HeartbeatRequestContext>());
    return ws.getData<{ password?: string }>()?.password === 'open sesame';
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value: unknown) => ({ wrapped: value, pattern: context.switchToWs().getPattern() })));
  }
}

/** A deferred the close-mid-handler spec opens once the client is gone. */
class Gate {
  open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  finished = false;
}

@Injectable()
class AlertHandlers {
  readonly gate = new Gate();

  @HeartbeatHandler('echo')
  echo(data: unknown, context: HeartbeatRequestContext): unknown {
    return { data, context };
  }

  @HeartbeatHandler('later')
  async later(data: { n: number }): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return data.n * 2;
  }

  @HeartbeatHandler('stream')
  stream(): Observable<number> {
    return of(1, 2, 3);
  }

  @HeartbeatHandler('empty')
  empty(): Observable<never> {
    return EMPTY;
  }

  @HeartbeatHandler('nothing')
  nothing(): void {
    return undefined;
  }

  @HeartbeatHandler('guarded')
  @UseGuards(PasswordGuard)
  guarded(): string {
    return 'in';
  }

  @HeartbeatHandler('ack')
  ack(data: AckAlertDto): { acknowledged: number; dto: boolean } {
    return { acknowledged: data.id, dto: data instanceof AckAlertDto };
  }

  @HeartbeatHandler('ack.transformed')
  @UsePipes(new ValidationPipe({ transform: true }))
  ackTransformed(data: AckAlertDto): { acknowledged: number; dto: boolean } {
    return { acknowledged: data.id, dto: data instanceof AckAlertDto };
  }

  @HeartbeatHandler('named')
  named(@ConnectedSocket() context: HeartbeatRequestContext, @MessageBody('id') id: number): string {
    return `${context.topic}:${id}`;
  }

  @HeartbeatHandler('refuse.text')
  refuseText(): never {
    throw new WsException('Alert 7 is not yours to acknowledge.');
  }

  @HeartbeatHandler('refuse.object')
  refuseObject(): never {
    throw new WsException({ message: 'Alert 7 is closed.', alertId: 7 });
  }

  @HeartbeatHandler('refuse.http')
  refuseHttp(): never {
    throw new NotFoundException('Alert 7 does not exist.');
  }

  @HeartbeatHandler('crash')
  crash(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'secret')");
  }

  @HeartbeatHandler('unencodable')
  unencodable(): { count: bigint } {
    return { count: 10n };
  }

  @HeartbeatHandler('gone')
  @UseFilters(AlertGoneFilter)
  gone(data: { id: number }): never {
    throw new AlertGoneError(data.id);
  }

  @HeartbeatHandler('slow')
  async slow(): Promise<string> {
    await this.gate.opened;
    this.gate.finished = true;
    return 'late';
  }
}

@Controller()
@UseInterceptors(WrapInterceptor)
class AlertController {
  @HeartbeatHandler('wrapped')
  wrapped(data: number): number {
    return data + 1;
  }
}

interface HandlersApp {
  server: TestApp;
  logger: RecordingLogger;
}

async function startHandlers(
  metadata: ModuleMetadata,
  configure: (app: INestApplication) => void = () => undefined,
  options: HeartbeatModuleOptions = {},
): Promise<HandlersApp> {
  const logger = new RecordingLogger();
  const moduleRef = await Test.createTestingModule({ ...metadata, imports: [HeartbeatModule.forRoot(options)] })
    .overrideProvider(HEARTBEAT_LOGGER)
    .useValue(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configure(app);
  return { server: await listen(app), logger };
}

/** The application that fails to start, and the error it failed with. */
async function startFailure(metadata: ModuleMetadata): Promise<unknown> {
  const moduleRef = await Test.createTestingModule({ ...metadata, imports: [HeartbeatModule.forRoot({})] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await listen(app);
  } catch (error) {
    return error;
  } finally {
    await app.close();
  }
  throw new Error('the application started');
}

let nextId = 0;

/** Sends a request and waits for the `result` or `error` that answers it. */
async function call(client: TestClient, topic: string, data: unknown = null): Promise<ServerFrame> {
  const id = `r-${++nextId}`;
  client.send({ type: 'request', id, topic, data });
  const answers = (frame: ServerFrame): boolean => (frame.type === 'result' && frame.id === id) || (frame.type === 'error' && frame.ref === id);
  return eventually(() => client.frames.find(answers), `the answer to ${id}`);
}

function resultOf(data: unknown): Record<string, unknown> {
  return { type: 'result', id: expect.any(String), data };
}

function errorOf(code: string, message: string, details?: unknown): Record<string, unknown> {
  return { type: 'error', code, message, ref: expect.any(String), ...(details === undefined ? {} : { details }) };
}

describe('HeartbeatHandlers', () => {
  describe('#request', () => {
    let handlers: HandlersApp;
    let client: TestClient;

    beforeAll(async () => {
      handlers = await startHandlers({ providers: [AlertHandlers, PasswordGuard], controllers: [AlertController] }, (app) =>
        app.useGlobalPipes(new ValidationPipe()),
      );
    });

    beforeEach(async () => {
      ({ client } = await TestClient.open(handlers.server.url));
    });

    afterEach(() => client.close());

    afterAll(() => handlers.server.close());

    it('answers with the return value and hands the handler the data and the request context', async () => {
      client.send({ type: 'request', id: 'r-echo', topic: 'echo', data: { n: 1 } });
      expect(await client.next('result')).toEqual({
        type: 'result',
        id: 'r-echo',
        data: {
          data: { n: 1 },
          context: { connectionId: expect.any(String), sessionId: expect.any(String), claims: {}, topic: 'echo', requestId: 'r-echo' },
        },
      });
    });

    it('awaits a Promise, takes the last value of an Observable and answers null for nothing', async () => {
      expect(await call(client, 'later', { n: 21 })).toEqual(resultOf(42));
      expect(await call(client, 'stream')).toEqual(resultOf(3));
      expect(await call(client, 'empty')).toEqual(resultOf(null));
      expect(await call(client, 'nothing')).toEqual(resultOf(null));
    });

    it('answers no_handler for a topic no handler answers, and keeps the connection', async () => {
      expect(await call(client, 'alerts.delete', { id: 1 })).toEqual(errorOf(ProtocolErrorCode.NoHandler, HeartbeatMessages.noHandler('alerts.delete')));
      expect(await call(client, 'later', { n: 1 })).toEqual(resultOf(2));
    });

    it('answers forbidden when a guard refuses, and runs the handler when it lets the request through', async () => {
      expect(await call(client, 'guarded', { password: 'guess' })).toEqual(errorOf(ProtocolErrorCode.Forbidden, HeartbeatMessages.requestForbidden('guarded', 'Forbidden resource')));
      expect(await call(client, 'guarded', { password: 'open sesame' })).toEqual(resultOf('in'));
      const guard = handlers.server.app.get(PasswordGuard);
      expect(guard.seen.at(-1)).toMatchObject({ topic: 'guarded', connectionId: expect.any(String) });
    });

    it('answers invalid_request with the messages of a global ValidationPipe, and accepts valid data', async () => {
      const refused = await call(client, 'ack', { id: 0, note: 5 });
      expect(refused).toMatchObject({ type: 'error', code: ProtocolErrorCode.InvalidRequest });
      const details = ['id must not be less than 1', 'note must be a string'];
      expect(refused).toMatchObject({ details, message: HeartbeatMessages.requestInvalid('ack', details) });
      expect(await call(client, 'ack')).toMatchObject({ code: ProtocolErrorCode.InvalidRequest, details: expect.arrayContaining(['id must be an integer number']) });
      expect(await call(client, 'ack', { id: 7 })).toEqual(resultOf({ acknowledged: 7, dto: false }));
    });

    it("applies the handler's own pipes: a transforming ValidationPipe hands it the DTO", async () => {
      expect(await call(client, 'ack.transformed', { id: 7, note: 'on it' })).toEqual(resultOf({ acknowledged: 7, dto: true }));
      expect(await call(client, 'ack.transformed', { id: 'seven' })).toMatchObject({ code: ProtocolErrorCode.InvalidRequest });
    });

    it('hands @ConnectedSocket() and @MessageBody(property) arguments as a gateway does', async () => {
      expect(await call(client, 'named', { id: 9 })).toEqual(resultOf('named:9'));
    });

    it("runs a controller's handler through its class's interceptor", async () => {
      expect(await call(client, 'wrapped', 1)).toEqual(resultOf({ wrapped: 2, pattern: 'wrapped' }));
    });

    it('answers request_failed with what a WsException carries, a string or an object', async () => {
      expect(await call(client, 'refuse.text')).toEqual(errorOf(ProtocolErrorCode.RequestFailed, 'Alert 7 is not yours to acknowledge.'));
      expect(await call(client, 'refuse.object')).toEqual(errorOf(ProtocolErrorCode.RequestFailed, 'Alert 7 is closed.', { message: 'Alert 7 is closed.', alertId: 7 }));
      expect(handlers.logger.at('error')).toEqual([]);
    });

    it('answers request_failed with the message and response of another HttpException', async () => {
      expect(await call(client, 'refuse.http')).toEqual(errorOf(ProtocolErrorCode.RequestFailed, 'Alert 7 does not exist.', { message: 'Alert 7 does not exist.', error: 'Not Found', statusCode: 404 }));
    });

    it('answers internal_error with a sentence that tells nothing of the server, and logs the error', async () => {
      const crash = await call(client, 'crash');
      expect(crash).toEqual(errorOf(ProtocolErrorCode.InternalError, HeartbeatMessages.requestInternalError('crash')));
      const unencodable = await call(client, 'unencodable');
      expect(unencodable).toEqual(errorOf(ProtocolErrorCode.InternalError, HeartbeatMessages.requestInternalError('unencodable')));
      const echo = await call(client, 'echo');
      const { connectionId } = (echo as { data: { context: HeartbeatRequestContext } }).data.context;
      expect(handlers.logger.at('error')).toEqual([
        HeartbeatMessages.logRequestFailed('crash', JSON.stringify((crash as { ref: string }).ref), connectionId),
        HeartbeatMessages.logRequestFailed('unencodable', JSON.stringify((unencodable as { ref: string }).ref), connectionId),
      ]);
      handlers.logger.lines.length = 0;
    });

    it("answers with what the handler's exception filter makes of its error", async () => {
      expect(await call(client, 'gone', { id: 4 })).toEqual(errorOf(ProtocolErrorCode.RequestFailed, 'Alert 4 was already resolved.', { message: 'Alert 4 was already resolved.', alertId: 4 }));
    });

    it('answers the requests of a connection concurrently: a slow handler holds up nothing', async () => {
      const { gate } = handlers.server.app.get(AlertHandlers);
      client.send({ type: 'request', id: 'r-slow', topic: 'slow', data: null });
      expect(await call(client, 'later', { n: 2 })).toEqual(resultOf(4));
      client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 1 });
      await client.next('pong');
      expect(client.all('result').filter((frame) => frame.id === 'r-slow')).toEqual([]);
      gate.open();
      expect(await client.next('result', 2_000, (frame) => frame.id === 'r-slow')).toEqual({ type: 'result', id: 'r-slow', data: 'late' });
    });
  });

  describe('#request (the connection closes)', () => {
    it('drops the answer of a handler that finishes after its connection closed, and keeps serving the others', async () => {
      const { server, logger } = await startHandlers({ providers: [AlertHandlers] });
      try {
        const { gate } = server.app.get(AlertHandlers);
        const { client: leaving } = await TestClient.open(server.url);
        leaving.send({ type: 'request', id: 'r-slow', topic: 'slow', data: null });
        await eventually(() => server.service.connectionCount === 1, 'the request to arrive');
        await leaving.close();
        await eventually(() => server.service.connectionCount === 0, 'the connection to close');
        gate.open();
        await eventually(() => gate.finished, 'the handler to finish');
        await eventually(() => logger.at('debug').some((line) => line.includes('"r-slow"')), 'the dropped answer to be logged');
        expect(logger.at('error')).toEqual([]);

        const { client: staying } = await TestClient.open(server.url);
        expect(await call(staying, 'later', { n: 5 })).toEqual(resultOf(10));
        await staying.close();
      } finally {
        await server.close();
      }
    });

    it('closes a connection that floods requests with 4429, as any frame beyond rateLimit', async () => {
      const { server } = await startHandlers({ providers: [AlertHandlers] }, undefined, { rateLimit: { messagesPerSecond: 5, burst: 10 } });
      try {
        const { client } = await TestClient.open(server.url);
        for (let i = 0; i < 30; i++) client.send({ type: 'request', id: `flood-${i}`, topic: 'later', data: { n: i } });
        expect((await client.closed).code).toBe(CloseCode.RateLimited);
        await eventually(() => server.service.connectionCount === 0, 'the flooding connection to be gone');
      } finally {
        await server.close();
      }
    });
  });

  describe('#request (global exception filters)', () => {
    @Catch(WsException)
    class WsExceptionToResult implements ExceptionFilter {
      catch(exception: WsException, host: ArgumentsHost): unknown {
        const ws = host.switchToWs();
        return { refused: exception.message, topic: ws.getPattern(), requestId: ws.getClient<HeartbeatRequestContext>().requestId };
      }
    }

    it("answers with the value a global filter returns for the errors it catches, and maps the others as without it", async () => {
      const { server } = await startHandlers({ providers: [AlertHandlers, { provide: APP_FILTER, useClass: WsExceptionToResult }] });
      try {
        const { client } = await TestClient.open(server.url);
        client.send({ type: 'request', id: 'r-text', topic: 'refuse.text', data: null });
        expect(await client.next('result')).toEqual({
          type: 'result',
          id: 'r-text',
          data: { refused: 'Alert 7 is not yours to acknowledge.', topic: 'refuse.text', requestId: 'r-text' },
        });
        expect(await call(client, 'refuse.http')).toMatchObject({ type: 'error', code: ProtocolErrorCode.RequestFailed });
        await client.close();
      } finally {
        await server.close();
      }
    });
  });

  describe('#request (identity from a real token)', () => {
    /** Lets admins through, by the claims verifyToken gave the connection, as a gateway guard reads its socket. */
    @Injectable()
    class AdminGuard implements CanActivate {
      readonly seen: HeartbeatRequestContext[] = [];

      canActivate(context: ExecutionContext): boolean {
        const request = context.switchToWs().getClient<HeartbeatRequestContext>();
        this.seen.push(request);
        return request.claims['role'] === 'admin';
      }
    }

    @Injectable()
    class AdminHandlers {
      @HeartbeatHandler('admin.purge')
      @UseGuards(AdminGuard)
      purge(_data: unknown, context: HeartbeatRequestContext): string {
        return `purged by ${context.userId}`;
      }
    }

    const tokens: Record<string, { userId: string; claims?: Record<string, unknown> }> = {
      'ada-token': { userId: 'ada', claims: { role: 'admin', team: ['ops'] } },
      'bo-token': { userId: 'bo', claims: { role: 'viewer' } },
    };

    it("shows the guard the userId and claims of the connection's token in switchToWs().getClient()", async () => {
      const { server } = await startHandlers({ providers: [AdminHandlers, AdminGuard] }, undefined, {
        verifyToken: (token) => (token !== undefined && tokens[token]) || false,
      });
      try {
        const ada = await TestClient.open(server.url, 'ada-token');
        const bo = await TestClient.open(server.url, 'bo-token');
        expect(await call(ada.client, 'admin.purge')).toEqual(resultOf('purged by ada'));
        expect(await call(bo.client, 'admin.purge')).toMatchObject({ type: 'error', code: ProtocolErrorCode.Forbidden });
        const guard = server.app.get(AdminGuard);
        expect(guard.seen).toEqual([
          expect.objectContaining({ userId: 'ada', claims: { role: 'admin', team: ['ops'] }, topic: 'admin.purge', sessionId: ada.welcome.session_id }),
          expect.objectContaining({ userId: 'bo', claims: { role: 'viewer' }, topic: 'admin.purge', sessionId: bo.welcome.session_id }),
        ]);
        expect(ada.welcome.user_id).toBe('ada');
        await Promise.all([ada.client.close(), bo.client.close()]);
      } finally {
        await server.close();
      }
    });
  });

  describe('#onApplicationBootstrap', () => {
    @Injectable()
    class OtherAckHandlers {
      @HeartbeatHandler('ack')
      ack(): string {
        return 'other';
      }
    }

    @Injectable({ scope: Scope.REQUEST })
    class RequestScopedHandlers {
      @HeartbeatHandler('per.request')
      answer(): string {
        return 'per request';
      }
    }

    it('refuses to start with two handlers for one topic, naming both', async () => {
      const error = await startFailure({ providers: [AlertHandlers, OtherAckHandlers] });
      expect(error).toEqual(
        new Error(HeartbeatMessages.duplicateHandler('ack', 'AlertHandlers.ack (RootTestModule)', 'OtherAckHandlers.ack (RootTestModule)')),
      );
    });

    it('refuses to start with a handler on a request-scoped provider', async () => {
      const error = await startFailure({ providers: [RequestScopedHandlers] });
      expect(error).toEqual(new Error(HeartbeatMessages.handlerNotSingleton('per.request', 'RequestScopedHandlers.answer')));
    });

    it('finds one handler in a provider registered under two tokens, and the same handlers when asked again', async () => {
      const { server } = await startHandlers({ providers: [AlertHandlers, { provide: 'ALERTS', useExisting: AlertHandlers }] });
      try {
        server.app.get(HeartbeatHandlers).onApplicationBootstrap();
        const { client } = await TestClient.open(server.url);
        expect(await call(client, 'later', { n: 3 })).toEqual(resultOf(6));
        await client.close();
      } finally {
        await server.close();
      }
    });
  });
});
