import { clientFrameSchemas } from './frame-schemas.js';
import { decodeFrame, type FrameDecoder, type ParseResult } from './frame-envelope.js';
import type { ClientFrame } from './frames.js';
import { clientHotFrames } from './hot-frames.js';

/** Client frames: the hot checks (pong, hello), then the zod schemas (whose issues name every bad field). */
const CLIENT_FRAMES: FrameDecoder = {
  sender: 'client',
  hot: clientHotFrames,
  types: Object.keys(clientFrameSchemas),
  check: (type, value) => {
    const schema = Object.hasOwn(clientFrameSchemas, type) ? clientFrameSchemas[type as keyof typeof clientFrameSchemas] : undefined;
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return { frame: result.data };
    return { problems: result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'frame'}: ${issue.message}`).join('; ') };
  },
};

/**
 * Decodes a frame a client sent (the server's parser, with the zod schemas). Never throws: any
 * input (binary data, invalid JSON, unknown type, wrong field types) gives `{ ok: false, error }`
 * whose code and message suit an `error` frame.
 */
export function parseClientFrame(input: unknown): ParseResult<ClientFrame> {
  return decodeFrame(input, CLIENT_FRAMES);
}
