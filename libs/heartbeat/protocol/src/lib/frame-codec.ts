import type * as z from 'zod';
import { clientFrameSchemas, serverFrameSchemas } from './frame-schemas.js';
import type { ClientFrame, ServerFrame } from './frames.js';
import { type HotFrameCheck, clientHotFrames, serverHotFrames } from './hot-frames.js';
import { type FrameError, ProtocolErrorCode } from './protocol-error.js';

export type ParseResult<F> = { ok: true; frame: F } | { ok: false; error: FrameError };

type SchemaTable = Readonly<Record<string, z.ZodType>>;
type HotFrameTable = Readonly<Record<string, HotFrameCheck<unknown>>>;

/**
 * Decodes a frame a client sent. Never throws: any input (binary data, invalid JSON, unknown type,
 * wrong field types) gives `{ ok: false, error }` whose code and message suit an `error` frame.
 */
export function parseClientFrame(input: unknown): ParseResult<ClientFrame> {
  return parseFrame(input, clientFrameSchemas, clientHotFrames, 'client') as ParseResult<ClientFrame>;
}

/** Decodes a frame a server sent; same guarantees as {@link parseClientFrame}. */
export function parseServerFrame(input: unknown): ParseResult<ServerFrame> {
  return parseFrame(input, serverFrameSchemas, serverHotFrames, 'server') as ParseResult<ServerFrame>;
}

/** Encodes a frame for the wire. Broadcasts encode once and send the same string to every peer. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

function parseFrame(input: unknown, schemas: SchemaTable, hotFrames: HotFrameTable, sender: 'client' | 'server'): ParseResult<unknown> {
  if (typeof input !== 'string') {
    return failure(ProtocolErrorCode.BinaryFrame, 'Binary frames are not supported: send each frame as JSON text.');
  }
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    return failure(ProtocolErrorCode.InvalidJson, 'The frame is not valid JSON: send one JSON object per frame.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure(ProtocolErrorCode.InvalidFrame, 'The frame must be a JSON object with a string "type".');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return failure(ProtocolErrorCode.InvalidFrame, 'The frame has no string "type": every frame needs one.');
  }
  const hot = Object.hasOwn(hotFrames, type) ? hotFrames[type](value as Record<string, unknown>) : undefined;
  if (hot !== undefined) return { ok: true, frame: hot };
  const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (!schema) {
    const known = Object.keys(schemas).join(', ');
    return failure(
      ProtocolErrorCode.UnknownType,
      `A ${sender} may not send frames of type "${truncate(type)}"; known types are ${known}.`,
      truncate(type),
    );
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'frame'}: ${issue.message}`)
      .join('; ');
    return failure(ProtocolErrorCode.InvalidFrame, `Invalid "${type}" frame (${details}).`, type);
  }
  return { ok: true, frame: result.data };
}

function failure(code: ProtocolErrorCode, message: string, ref?: string): ParseResult<never> {
  return { ok: false, error: ref === undefined ? { code, message } : { code, message, ref } };
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
