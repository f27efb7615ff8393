import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../server/domain/address-key.ts';

describe('addressKey', () => {
  it('keys an IPv4 client by its address', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
  });

  it('keys an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:cb00:7109')).toBe('203.0.113.9');
  });

  it('keys every IPv6 address of one /64 alike, and another /64 apart', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:abcd::9'].map(addressKey);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('::/64');
  });

  it('leaves what is not an IP address as it is', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });
});
