import type { ClientFrame, ServerFrame } from './frames.js';
import type { HotFrameCheck } from './hot-frames.js';
import type { FrameError, ProtocolErrorCode } from './protocol-error.js';

export type ParseResult<F> = { ok: true; frame: F } | { ok: false; error: FrameError };

/** A frame's envelope read: a JSON object with a string `type`, its fields not checked yet. */
type Envelope = { ok: true; type: string; value: Record<string, unknown> } | { ok: false; error: FrameError };

/**
 * What every frame must be before its type's rules apply, in either direction: text (not binary),
 * JSON, an object, a string `type`. Zod-free: the client's parser uses it too.
 */
function readEnvelope(input: unknown): Envelope {
  if (typeof input !== 'string') {
    return failure('binary_frame', 'Binary frames are not supported: send each frame as JSON text.');
  }
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    return failure('invalid_json', 'The frame is not valid JSON: send one JSON object per frame.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure('invalid_frame', 'The frame must be a JSON object with a string "type".');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return failure('invalid_frame', 'The frame has no string "type": every frame needs one.');
  }
  return { ok: true, type, value: value as Record<string, unknown> };
}

/** A type's rules: the frame (unknown fields dropped), its problems as one sentence, or undefined for a type the sender may not send. */
export type FrameCheck = (type: string, value: Record<string, unknown>) => { frame: unknown } | { problems: string } | undefined;

/** How one direction decodes: its hot checks (if any), its rules and the types it knows (for the `unknown_type` sentence). */
export interface FrameDecoder {
  readonly sender: 'client' | 'server';
  readonly hot?: Readonly<Record<string, HotFrameCheck<unknown>>>;
  readonly check: FrameCheck;
  readonly types: readonly string[];
}

/**
 * Decodes a frame of either direction: the envelope, the hot check of its type when the decoder
 * has one (the client's pong and hello), then its rules. Never throws.
 */
export function decodeFrame<F>(input: unknown, decoder: FrameDecoder): ParseResult<F> {
  const envelope = readEnvelope(input);
  if (!envelope.ok) return envelope;
  const { type, value } = envelope;
  const hot = decoder.hot && Object.hasOwn(decoder.hot, type) ? decoder.hot[type](value) : undefined;
  if (hot !== undefined) return { ok: true, frame: hot as F };
  const checked = decoder.check(type, value);
  if (!checked) {
    const name = truncate(type);
    return failure('unknown_type', `A ${decoder.sender} may not send frames of type "${name}"; known types are ${decoder.types.join(', ')}.`, name);
  }
  if ('problems' in checked) return failure('invalid_frame', `Invalid "${type}" frame (${checked.problems}).`, type);
  return { ok: true, frame: checked.frame as F };
}

/** Encodes a frame for the wire. Broadcasts encode once and send the same string to every peer. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/**
 * The codes are written as the wire's strings (the ProtocolErrorCode type checks them), not read
 * from the ProtocolErrorCode object: the client parses with this module, and its bundle then carries
 * no table of the server's codes (docs/benchmarks.md#browser-bundle-esbuild).
 */
function failure(code: ProtocolErrorCode, message: string, ref?: string): { ok: false; error: FrameError } {
  return { ok: false, error: ref === undefined ? { code, message } : { code, message, ref } };
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
