import type { ClientFrame, ServerFrame } from './frames.js';
import { type FrameError, ProtocolErrorCode } from './protocol-error.js';

export type ParseResult<F> = { ok: true; frame: F } | { ok: false; error: FrameError };

/** A frame's envelope read: a JSON object with a string `type`, its fields not checked yet. */
export type Envelope = { ok: true; type: string; value: Record<string, unknown> } | { ok: false; error: FrameError };

/**
 * What every frame must be before its type's rules apply, in either direction: text (not binary),
 * JSON, an object, a string `type`. Zod-free: the client's parser uses it too.
 */
export function readEnvelope(input: unknown): Envelope {
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
  return { ok: true, type, value: value as Record<string, unknown> };
}

/** The answer to a frame whose type the sender may not send. */
export function unknownType(type: string, sender: 'client' | 'server', known: readonly string[]): { ok: false; error: FrameError } {
  return failure(ProtocolErrorCode.UnknownType, `A ${sender} may not send frames of type "${truncate(type)}"; known types are ${known.join(', ')}.`, truncate(type));
}

/** The answer to a frame of a known type whose fields break its rules (`details` names each). */
export function invalidFields(type: string, details: string): { ok: false; error: FrameError } {
  return failure(ProtocolErrorCode.InvalidFrame, `Invalid "${type}" frame (${details}).`, type);
}

/** Encodes a frame for the wire. Broadcasts encode once and send the same string to every peer. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

function failure(code: ProtocolErrorCode, message: string, ref?: string): { ok: false; error: FrameError } {
  return { ok: false, error: ref === undefined ? { code, message } : { code, message, ref } };
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
