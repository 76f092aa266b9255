import { topicNameProblem } from '@heartbeat/protocol';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { PARAM_ARGS_METADATA } from '@nestjs/websockets/constants.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';

/** Where `@HeartbeatHandler` keeps its method's topic (on the method itself, as Nest's own method decorators do). */
export const HEARTBEAT_HANDLER_TOPIC = 'heartbeat:handler_topic';

/** Where `@HeartbeatHandler` keeps the arguments its method is called with (on the class, by method name). */
export const HEARTBEAT_HANDLER_ARGS = 'heartbeat:handler_args';

/**
 * The arguments of a handler that names none with `@MessageBody()`/`@ConnectedSocket()`: the
 * request's data first, its HeartbeatRequestContext second, as if written
 * `(@MessageBody() data, @ConnectedSocket() context)`. Pipes see the data parameter with its
 * declared type, which is what ValidationPipe validates against (docs/server.md#requestresponse-handlers).
 */
const DEFAULT_HANDLER_ARGS = {
  [`${WsParamtype.PAYLOAD}:0`]: { index: 0, data: undefined, pipes: [] },
  [`${WsParamtype.SOCKET}:1`]: { index: 1, data: undefined, pipes: [] },
};

/**
 * Marks a method of a provider or controller as the handler of `request` frames on `topic`
 * (docs/server.md#requestresponse-handlers): what it returns (awaited, or an Observable's last
 * value) is the `result`; what it throws becomes the `error`. It runs through the guards,
 * interceptors, pipes and exception filters that apply to it, as a `@SubscribeMessage` handler does.
 *
 * ```ts
 * @HeartbeatHandler('alerts.ack')
 * ack(data: AckAlertDto, context: HeartbeatRequestContext) { … }
 * ```
 */
export function HeartbeatHandler(topic: string): MethodDecorator {
  return (target, key, descriptor) => {
    // Handlers are found on the instances Nest made: a static method would never be called.
    if (typeof target === 'function') throw new Error(HeartbeatMessages.handlerOnStaticMethod(`${target.name}.${String(key)}`));
    const owner = `${target.constructor.name}.${String(key)}`;
    const problem = topicNameProblem(topic);
    if (problem) throw new Error(HeartbeatMessages.invalidHandlerTopic(owner, problem));
    if (typeof descriptor.value !== 'function') throw new Error(HeartbeatMessages.handlerNotAMethod(owner));
    Reflect.defineMetadata(HEARTBEAT_HANDLER_TOPIC, topic, descriptor.value);
    // Parameter decorators run before method decorators: the method's own @MessageBody()/@ConnectedSocket() are known here.
    const declared: unknown = Reflect.getMetadata(PARAM_ARGS_METADATA, target.constructor, key);
    Reflect.defineMetadata(HEARTBEAT_HANDLER_ARGS, declared ?? DEFAULT_HANDLER_ARGS, target.constructor, key);
  };
}
