import { randomBytes } from 'node:crypto';

/**
 * 128 random bits as 22 base64url characters: a connection or session id. Ids live as long as
 * their connections (two each, tens of thousands of connections), so their size counts: this is
 * one flat 40-byte string, where a `randomUUID()` is 56 bytes once flattened (Node assembles it
 * from 16 pieces, 490 bytes of V8 cons strings until something reads it) for 122 random bits.
 */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}
