import { describe, expect, it } from 'vitest';
import { compileTrust, forwardedClient, parseTrustProxy } from '../../../server/auth/client-address.ts';

describe('parseTrustProxy', () => {
  it('reads false, a number of hops, or a list of addresses, CIDRs and names', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8,2001:db8::1')).toEqual(['loopback', '10.0.0.0/8', '2001:db8::1']);
  });

  it('refuses true, which trusted whatever the client wrote, naming the accepted forms', () => {
    expect(() => parseTrustProxy('true')).toThrow(/no longer accepted[\s\S]*number of proxies[\s\S]*loopback/);
  });

  it('refuses what is no address', () => {
    expect(() => parseTrustProxy('nginx')).toThrow(/invalid IP address: nginx/);
  });
});

describe('forwardedClient', () => {
  const headers = { host: 'node-1:3000', 'x-forwarded-for': '6.6.6.6, 198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example.com' };

  it('behind one trusted proxy, takes the address that proxy saw, not what the client prepended', () => {
    for (const trust of [compileTrust(1), compileTrust(['loopback'])]) {
      expect(forwardedClient(trust, { address: '127.0.0.1', encrypted: false, headers })).toEqual({ ip: '198.51.100.7', secure: true, host: 'chat.example.com' });
    }
  });

  it('believes no forwarded header from a peer it does not trust', () => {
    const client = forwardedClient(compileTrust(['10.0.0.0/8']), { address: '127.0.0.1', encrypted: false, headers });
    expect(client).toEqual({ ip: '127.0.0.1', secure: false, host: 'node-1:3000' });
    expect(forwardedClient(compileTrust(false), { address: '127.0.0.1', encrypted: true, headers })).toEqual({ ip: '127.0.0.1', secure: true, host: 'node-1:3000' });
  });
});
