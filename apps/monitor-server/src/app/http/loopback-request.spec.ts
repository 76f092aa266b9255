import type { Request } from 'express';
import { isLocalRequest, isLoopbackAddress } from './loopback-request.js';

function request(remoteAddress: string | undefined, headers: Request['headers'] = {}): Pick<Request, 'headers' | 'socket'> {
  return { headers, socket: { remoteAddress } as Request['socket'] };
}

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('accepts %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '128.0.0.1', '', undefined])('refuses %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('isLocalRequest', () => {
  it('accepts a loopback peer without forwarding headers', () => {
    expect(isLocalRequest(request('127.0.0.1'))).toBe(true);
  });

  it.each(['forwarded', 'x-forwarded-for', 'x-real-ip'])('refuses a loopback peer that relays a request (%s)', (header) => {
    expect(isLocalRequest(request('127.0.0.1', { [header]: '203.0.113.7' }))).toBe(false);
  });

  it('refuses a remote peer', () => {
    expect(isLocalRequest(request('203.0.113.7'))).toBe(false);
  });
});
