/**
 * The size limits of wire protocol v1 (docs/protocol.md, Frame conventions), public, in a module of
 * their own: the zod schemas (the server's parser), the hand-written server-frame guards (the
 * client's) and the client's saved resume state all read them, and a client bundle must not pull
 * zod in for a constant.
 */
export const MAX_TOPIC_LENGTH = 200;
export const MAX_ID_LENGTH = 128;
export const MAX_TOKEN_LENGTH = 8_192;
export const MAX_TIMESTAMP_LENGTH = 64;
