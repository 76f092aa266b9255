import type { Request } from 'express';
import { isLocalRequest, isLoopbackAddress, isLoopbackHost } from './loopback-request.js';

function request(remoteAddress: string | undefined, headers: Request['headers'] = {}): Pick<Request, 'headers' | 'socket'> {
  return { headers: { host: 'localhost:3000', ...headers }, socket: { remoteAddress } as Request['socket'] };
}

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('accepts %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '128.0.0.1', '', undefined])('refuses %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'localhost:3000', 'LOCALHOST:80', '127.0.0.1:3000', '127.0.0.1', '[::1]:3000', '[::1]'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['evil.example:3000', 'localhost.evil.example', '10.0.0.1:3000', '[fe80::1]:3000', '', undefined])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isLocalRequest', () => {
  it('accepts a loopback peer without forwarding headers', () => {
    expect(isLocalRequest(request('127.0.0.1'))).toBe(true);
  });

  it.each(['forwarded', 'x-forwarded-for', 'x-real-ip'])('refuses a loopback peer that relays a request (%s)', (header) => {
    expect(isLocalRequest(request('127.0.0.1', { [header]: '203.0.113.7' }))).toBe(false);
  });

  it('refuses a loopback peer asking for another site (DNS rebinding)', () => {
    expect(isLocalRequest(request('127.0.0.1', { host: 'rebound.example:3000' }))).toBe(false);
  });

  it('refuses a remote peer', () => {
    expect(isLocalRequest(request('203.0.113.7'))).toBe(false);
  });
});
