import type { Request } from 'express';

/** Headers a reverse proxy adds; behind one every request comes from the proxy's (often loopback) address. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** True for 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipv4) || address === '::1';
}

/** `localhost`, a 127.x address or `[::1]`, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name.toLowerCase() === 'localhost' || name === '[::1]' || isLoopbackAddress(name);
}

/**
 * True when the request comes straight from this machine: a loopback peer address, no forwarding
 * header (which would mean a proxy on this machine relays someone else's request), and a loopback
 * `Host` (a page on another site whose name was rebound to 127.0.0.1 still sends its own name).
 */
export function isLocalRequest(request: Pick<Request, 'headers' | 'socket'>): boolean {
  return (
    isLoopbackAddress(request.socket.remoteAddress) &&
    isLoopbackHost(request.headers.host) &&
    FORWARDING_HEADERS.every((name) => request.headers[name] === undefined)
  );
}
