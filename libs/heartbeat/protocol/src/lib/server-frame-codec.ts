import { decodeFrame, type FrameDecoder, type ParseResult } from './frame-envelope.js';
import type { ServerFrame } from './frames.js';
import { checkServerFrame, SERVER_FRAME_TYPES } from './server-frame-guards.js';

/** Server frames: the hand-written rules (no zod), which need no hot checks (server-frame-guards.ts). */
const SERVER_FRAMES: FrameDecoder = { sender: 'server', check: checkServerFrame, types: SERVER_FRAME_TYPES };

/**
 * Decodes a frame a server sent (the client's parser); the same guarantees as `parseClientFrame`.
 * It carries no zod: the rules are server-frame-guards.ts, held to the schemas by its spec.
 */
export function parseServerFrame(input: unknown): ParseResult<ServerFrame> {
  return decodeFrame(input, SERVER_FRAMES);
}
