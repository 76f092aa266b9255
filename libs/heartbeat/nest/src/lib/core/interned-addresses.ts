/**
 * Peer addresses kept once per address: every socket reports its peer's address as a string of its
 * own (32 bytes for an IPv4 address), while many connections come from one address (a proxy, a
 * NAT, a load balancer). A connection keeps the interned copy for its life.
 */

/** Distinct addresses kept before the table starts over: a bound, since any address may connect. */
export const MAX_INTERNED_ADDRESSES = 4_096;

const addresses = new Map<string, string>();

/** The one copy of `address` (the first seen since the table last started over). */
export function internAddress(address: string): string {
  const known = addresses.get(address);
  if (known !== undefined) return known;
  if (addresses.size >= MAX_INTERNED_ADDRESSES) addresses.clear();
  addresses.set(address, address);
  return address;
}
