import { DEFAULT_MAX_PAYLOAD_BYTES } from '@heartbeat/protocol';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';

/**
 * The most JSON `POST /api/heartbeat/topics/:topic/events` takes: what a client may send in one
 * frame (DEFAULT_MAX_PAYLOAD_BYTES), so an event published over HTTP is no larger than one a client
 * could have sent.
 */
export const EVENT_BODY_LIMIT_BYTES = DEFAULT_MAX_PAYLOAD_BYTES;

/** The sentence of an empty body; thrown from the parser's `verify` hook, answered by {@link eventBodyErrors}. */
class EmptyEventBody extends Error {
  readonly status = 400;
  readonly type = 'entity.empty';
}

/**
 * Options of the application's JSON body parser (`app.useBodyParser('json', …)`): any JSON value is
 * an event's data (not only objects and arrays), up to {@link EVENT_BODY_LIMIT_BYTES}; an empty body
 * is refused rather than read as `{}`.
 */
export const EVENT_BODY_PARSER = {
  limit: EVENT_BODY_LIMIT_BYTES,
  strict: false,
  verify: (_request: IncomingMessage, _response: unknown, body: Buffer): void => {
    if (body.length === 0) throw new EmptyEventBody('The body is empty: send the event\'s data as JSON (for example {"text":"hello"}).');
  },
};

/** What body-parser's errors carry besides their message. */
interface BodyError extends Error {
  status?: number;
  type?: string;
}

/**
 * Answers a body the JSON parser refused with a sentence, in the shape of Nest's HTTP errors
 * (`{ statusCode, message, error }`), instead of Express's HTML error page.
 */
export function eventBodyErrors(error: BodyError, _request: Request, response: Response, next: NextFunction): void {
  const sentence = bodyProblem(error);
  if (sentence === undefined) {
    next(error);
    return;
  }
  const statusCode = error.type === 'entity.too.large' ? 413 : 400;
  response.status(statusCode).json({ statusCode, message: sentence, error: statusCode === 413 ? 'Payload Too Large' : 'Bad Request' });
}

function bodyProblem(error: BodyError): string | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return `The body is larger than ${EVENT_BODY_LIMIT_BYTES} bytes, the most an event may carry: send less data.`;
    case 'entity.parse.failed':
      return `The body is not valid JSON (${error.message}): send the event's data as JSON with Content-Type: application/json.`;
    case 'entity.empty':
      return error.message;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return `The body's encoding is not supported (${error.message}): send the JSON in UTF-8.`;
    default:
      return undefined;
  }
}
