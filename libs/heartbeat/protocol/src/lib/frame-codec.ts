import { clientFrameSchemas } from './frame-schemas.js';
import { type ParseResult, invalidFields, readEnvelope, unknownType } from './frame-envelope.js';
import type { ClientFrame } from './frames.js';
import { clientHotFrames } from './hot-frames.js';

const CLIENT_FRAME_TYPES = Object.keys(clientFrameSchemas);

/**
 * Decodes a frame a client sent (the server's parser, with the zod schemas). Never throws: any
 * input (binary data, invalid JSON, unknown type, wrong field types) gives `{ ok: false, error }`
 * whose code and message suit an `error` frame.
 */
export function parseClientFrame(input: unknown): ParseResult<ClientFrame> {
  const envelope = readEnvelope(input);
  if (!envelope.ok) return envelope;
  const { type, value } = envelope;
  const hot = Object.hasOwn(clientHotFrames, type) ? clientHotFrames[type](value) : undefined;
  if (hot !== undefined) return { ok: true, frame: hot as ClientFrame };
  const schema = Object.hasOwn(clientFrameSchemas, type) ? clientFrameSchemas[type as keyof typeof clientFrameSchemas] : undefined;
  if (!schema) return unknownType(type, 'client', CLIENT_FRAME_TYPES);
  const result = schema.safeParse(value);
  if (!result.success) {
    return invalidFields(type, result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'frame'}: ${issue.message}`).join('; '));
  }
  return { ok: true, frame: result.data as ClientFrame };
}
