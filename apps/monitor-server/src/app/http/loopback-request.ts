import type { Request } from 'express';

/** Headers a reverse proxy adds; behind one every request comes from the proxy's (often loopback) address. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** True for 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipv4) || address === '::1';
}

/**
 * True when the request comes straight from this machine: a loopback peer address and no forwarding
 * header (which would mean a proxy on this machine relays someone else's request).
 */
export function isLocalRequest(request: Pick<Request, 'headers' | 'socket'>): boolean {
  return isLoopbackAddress(request.socket.remoteAddress) && FORWARDING_HEADERS.every((name) => request.headers[name] === undefined);
}
