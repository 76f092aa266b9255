import { type ErrorFrame, type RequestFrame, ProtocolErrorCode, encodeFrame } from '@heartbeat/protocol';
import { Inject, Injectable, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import {
  ApplicationConfig,
  DiscoveryService,
  ExternalContextCreator,
  MetadataScanner,
  ModulesContainer,
  type NestContainer,
  type ParamsFactory,
} from '@nestjs/core';
import { ExternalExceptionFilterContext } from '@nestjs/core/exceptions/external-exception-filter-context.js';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { EmptyError, isObservable, lastValueFrom } from 'rxjs';
import type { HeartbeatConnection } from './core/heartbeat-connection.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { CoreLogger } from './core/logger.port.js';
import type { RequestFrames } from './core/request-frames.port.js';
import { HEARTBEAT_LOGGER } from './heartbeat.constants.js';
import { HEARTBEAT_HANDLER_ARGS, HEARTBEAT_HANDLER_TOPIC } from './heartbeat-handler.decorator.js';
import type { HeartbeatRequestContext } from './heartbeat-request-context.js';
import { requestError } from './request-error.js';

/** A handler's method with everything that applies to it: `(context, data, topic)`, the arguments guards and filters see through `switchToWs()`. */
type HandlerCall = (context: HeartbeatRequestContext, data: unknown, topic: string) => Promise<unknown>;

interface RequestHandler {
  /** `Class.method (Module)`, for the sentences that name it. */
  readonly owner: string;
  readonly call: HandlerCall;
}

type HandlerHost = Record<string, (...args: unknown[]) => unknown>;

const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The values of a handler's arguments, as a gateway's (`@MessageBody(property?)` the data or one of
 * its properties, `@ConnectedSocket()` the HeartbeatRequestContext): from `(context, data, topic)`.
 */
const HANDLER_PARAMS: ParamsFactory = {
  exchangeKeyForValue(type, property, [context, data]: [HeartbeatRequestContext, unknown]) {
    if (type === WsParamtype.SOCKET) return context;
    if (type !== WsParamtype.PAYLOAD) return undefined;
    return typeof property === 'string' && typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[property] : data;
  },
};

/**
 * The `@HeartbeatHandler` methods of the application, found at bootstrap, and the answers to
 * `request` frames (docs/server.md#requestresponse-handlers). Each handler runs through Nest's
 * ExternalContextCreator in the `ws` context, so that guards, interceptors and pipes (method,
 * class and global) apply as they do to `@SubscribeMessage` handlers; exception filters are applied
 * here, so that an exception no filter answered becomes the `error` frame rather than an error log.
 */
@Injectable()
export class HeartbeatHandlers implements RequestFrames, OnApplicationBootstrap {
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly filters: ExternalExceptionFilterContext;
  private readonly contexts: ExternalContextCreator;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    contexts: ExternalContextCreator,
    modules: ModulesContainer,
    config: ApplicationConfig,
    @Inject(HEARTBEAT_LOGGER) private readonly logger: CoreLogger,
  ) {
    // Of the container, the filter context only reads the modules (to find a filter class's instance
    // in the handler's module); Nest's container itself is not injectable.
    const container = { getModules: () => modules } as unknown as NestContainer;
    this.filters = new ExternalExceptionFilterContext(container, config);
    this.contexts = withControllers(contexts, modules);
  }

  /** Finds every handler; throws, failing the application's start, on two handlers for one topic or a handler that is not on a singleton. */
  onApplicationBootstrap(): void {
    // Found again from scratch when called again: the same methods, not duplicates of themselves.
    this.handlers.clear();
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const instance: unknown = wrapper.instance;
      // The same object under two tokens (an alias, a value provider) is one handler, not two.
      if (typeof instance !== 'object' || instance === null || wrapper.isAlias || seen.has(instance)) continue;
      seen.add(instance);
      const prototype: object | null = Object.getPrototypeOf(instance);
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const topic: unknown = Reflect.getMetadata(HEARTBEAT_HANDLER_TOPIC, (instance as HandlerHost)[name]);
        if (typeof topic === 'string') this.register(topic, wrapper, name);
      }
    }
  }

  async request(connection: HeartbeatConnection, frame: RequestFrame): Promise<void> {
    const handler = this.handlers.get(frame.topic);
    if (!handler) {
      connection.sendError({ code: ProtocolErrorCode.NoHandler, message: HeartbeatMessages.noHandler(frame.topic), ref: frame.id });
      return;
    }
    let answer: string;
    try {
      // An undefined result (a method returning nothing) is answered as null: JSON has no undefined.
      const data = (await handler.call(contextOf(connection, frame), frame.data, frame.topic)) ?? null;
      answer = encodeFrame({ type: 'result', id: frame.id, data });
    } catch (exception) {
      answer = encodeFrame({ type: 'error', ...this.failure(exception, frame, connection) });
    }
    if (connection.isClosing) {
      this.logger.debug(HeartbeatMessages.logAnswerDropped(frame.topic, JSON.stringify(frame.id), connection.id));
      return;
    }
    connection.sendText(answer);
  }

  private register(topic: string, wrapper: InstanceWrapper, name: string): void {
    const className = (wrapper.instance as object).constructor.name;
    const owner = `${className}.${name} (${wrapper.host?.name ?? 'no module'})`;
    if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
      throw new Error(HeartbeatMessages.handlerNotSingleton(topic, `${className}.${name}`));
    }
    const existing = this.handlers.get(topic);
    if (existing) throw new Error(HeartbeatMessages.duplicateHandler(topic, existing.owner, owner));
    this.handlers.set(topic, { owner, call: this.callOf(wrapper, name) });
  }

  private callOf(wrapper: InstanceWrapper, name: string): HandlerCall {
    const instance = wrapper.instance as HandlerHost;
    const method = instance[name];
    const options = { guards: true, interceptors: true, filters: false };
    const target = this.contexts.create(instance, method, name, HEARTBEAT_HANDLER_ARGS, HANDLER_PARAMS, undefined, undefined, options, 'ws');
    const filters = this.filters.create(instance, method as never, wrapper.host?.token ?? '');
    return async (...args) => {
      try {
        return await target(...args);
      } catch (exception) {
        // An Observable that completed without a value: Nest awaits its last value, and there was none.
        if (exception instanceof EmptyError) return undefined;
        const host = new ExecutionContextHost(args, instance.constructor as never, method);
        host.setType('ws');
        // As for Nest's other handlers outside HTTP: a filter answers with what it returns (a value,
        // or a Promise or Observable of one), or by throwing; undefined means it left the exception alone.
        const answer: unknown = filters.invokeCustomFilters(exception, host);
        if (answer === undefined) throw exception;
        const settled = await answer;
        return isObservable(settled) ? lastValueFrom(settled, { defaultValue: undefined }) : settled;
      }
    };
  }

  private failure(exception: unknown, frame: RequestFrame, connection: HeartbeatConnection): Omit<ErrorFrame, 'type'> {
    const { error, unexpected } = requestError(exception, frame.topic, frame.id);
    if (unexpected) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(HeartbeatMessages.logRequestFailed(frame.topic, JSON.stringify(frame.id), connection.id), stack);
    }
    return error;
  }
}

/**
 * Nest's ExternalContextCreator looks for a handler's module among the modules' providers alone: a
 * controller's handler would get no module, and the enhancer classes of its module (a
 * `@UseGuards(SomeGuard)` on the controller) would be missing. This one finds controllers too.
 */
function withControllers(creator: ExternalContextCreator, modules: ModulesContainer): ExternalContextCreator {
  const own = creator.getContextModuleKey.bind(creator);
  const getContextModuleKey = (type: Type | undefined): string =>
    own(type) || ([...modules.entries()].find(([, module]) => type !== undefined && module.controllers.has(type))?.[0] ?? '');
  return Object.create(creator, { getContextModuleKey: { value: getContextModuleKey } }) as ExternalContextCreator;
}

/** What the handler, its guards, interceptors and filters know of the request besides its data. */
function contextOf(connection: HeartbeatConnection, frame: RequestFrame): HeartbeatRequestContext {
  const identity = connection.identity;
  return {
    connectionId: connection.id,
    sessionId: connection.sessionId ?? '',
    userId: identity?.userId,
    claims: identity?.claims ?? NO_CLAIMS,
    topic: frame.topic,
    requestId: frame.id,
  };
}
