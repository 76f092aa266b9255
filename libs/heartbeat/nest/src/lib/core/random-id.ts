import { randomFillSync } from 'node:crypto';

/** Random bytes fetched 256 ids at a time: one call into the system's generator per 256 connections or sessions, not one per id. */
const POOL_IDS = 256;
const ID_BYTES = 16;
const pool = Buffer.alloc(POOL_IDS * ID_BYTES);
let next = POOL_IDS * ID_BYTES;

/**
 * 128 random bits as 22 base64url characters: a connection or session id. Ids live as long as
 * their connections (two each, tens of thousands of connections), so their size counts: this is
 * one flat 40-byte string, where a `randomUUID()` is 56 bytes once flattened (Node assembles it
 * from 16 pieces, 490 bytes of V8 cons strings until something reads it) for 122 random bits.
 * The bytes come from a pool refilled from the same cryptographic generator `randomBytes` uses: a
 * call per id was a tenth of the server's CPU while 19,000 clients reconnected (docs/benchmarks.md).
 * Each byte of the pool is used for one id only.
 */
export function randomId(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const id = pool.toString('base64url', next, next + ID_BYTES);
  next += ID_BYTES;
  return id;
}
