import { type ParseResult, invalidFields, readEnvelope, unknownType } from './frame-envelope.js';
import type { ServerFrame } from './frames.js';
import { serverHotFrames } from './hot-frames.js';
import { checkServerFrame, SERVER_FRAME_TYPES } from './server-frame-guards.js';

/**
 * Decodes a frame a server sent (the client's parser); the same guarantees as `parseClientFrame`.
 * It carries no zod: the rules are server-frame-guards.ts, held to the schemas by its spec.
 */
export function parseServerFrame(input: unknown): ParseResult<ServerFrame> {
  const envelope = readEnvelope(input);
  if (!envelope.ok) return envelope;
  const { type, value } = envelope;
  const hot = Object.hasOwn(serverHotFrames, type) ? serverHotFrames[type](value) : undefined;
  if (hot !== undefined) return { ok: true, frame: hot as ServerFrame };
  const checked = checkServerFrame(type, value);
  if (!checked) return unknownType(type, 'server', SERVER_FRAME_TYPES);
  if ('problems' in checked) return invalidFields(type, checked.problems);
  return { ok: true, frame: checked.frame as ServerFrame };
}
