import { describe, expect, it } from 'vitest';
import { isOriginAllowed, isOwnOrigin, normaliseOrigin, parseAllowedOrigin, usableOrigins } from '../../../server/auth/origins.ts';

describe('origin checks', () => {
  const allowed = ['https://example.com', 'http://localhost:8080'];

  it.each([
    ['https://example.com', true],
    ['http://localhost:8080', true],
    ['https://evil-example.com', false],
    ['https://example.com.evil.com', false],
    ['https://sub.example.com', false],
    ['http://example.com', false],
    ['https://example.com:8443', false],
    ['https://EXAMPLE.com', false],
    ['https://example.com/', false],
    ['null', false],
    ['', false],
    [undefined, false],
  ])('%s allowed: %s', (origin, expected) => {
    expect(isOriginAllowed(origin, allowed)).toBe(expected);
  });

  it('normalises configured origins and rejects what is not an http(s) origin', () => {
    expect(normaliseOrigin('https://Example.com:443/path?q')).toBe('https://example.com');
    expect(normaliseOrigin('javascript:alert(1)')).toBeNull();
    expect(normaliseOrigin('https://user:pw@example.com')).toBeNull();
    expect(normaliseOrigin('example.com')).toBeNull();
  });

  it('recognises our own origin from PUBLIC_URL, or else from the Host header', () => {
    expect(isOwnOrigin('https://chat.example.com', { host: 'anything', secure: true }, 'https://chat.example.com')).toBe(true);
    expect(isOwnOrigin('https://evil.com', { host: 'evil.com', secure: true }, 'https://chat.example.com')).toBe(false);
    expect(isOwnOrigin('http://localhost:3000', { host: 'localhost:3000', secure: false }, undefined)).toBe(true);
    expect(isOwnOrigin('http://evil.com', { host: 'localhost:3000', secure: false }, undefined)).toBe(false);
    expect(isOwnOrigin('https://localhost:3000', { host: 'localhost:3000', secure: false }, undefined)).toBe(false);
    expect(isOwnOrigin(undefined, { host: 'localhost:3000', secure: false }, undefined)).toBe(false);
    expect(isOwnOrigin('http://a.example;x', { host: 'a.example;x', secure: false }, undefined)).toBe(false);
    expect(isOwnOrigin('http://*', { host: '*', secure: false }, undefined)).toBe(false);
  });

  it.each([
    ['https://*'],
    ['http://*.example.com'],
    ['https://shop.example;script-src *'],
    ['https://shop.example%3Bscript-src'],
    ['https://shop.example/path'],
    ['https://shop.example?q'],
    ['https://shop.example#top'],
    ['https://user@shop.example'],
    ['ftp://shop.example'],
    ['https://shop.example:0x50'],
    ['https://shop.exa mple'],
    ['https://-shop.example'],
    ['https://shop.example.'],
    ['https://shop.example:99999'],
    [' https://shop.example'],
    ["https://shop.example 'unsafe-inline'"],
    ['https://[fe80::1%25eth0]'],
  ])('refuses %j as an allowed origin', (value) => {
    expect(parseAllowedOrigin(value)).toBeNull();
  });

  it.each([
    ['https://shop.example', 'https://shop.example'],
    ['HTTPS://Shop.Example:443/', 'https://shop.example'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['http://192.0.2.1', 'http://192.0.2.1'],
    ['http://chat_server:3000', 'http://chat_server:3000'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
  ])('accepts %j as %j', (value, expected) => {
    expect(parseAllowedOrigin(value)).toBe(expected);
  });

  it('never matches a stored origin that is not a scheme, host and port, and leaves it out of the usable ones', () => {
    const stored = ['https://*', 'http://*.x', 'https://a.example; script-src *', 'https://shop.example'];
    expect(isOriginAllowed('https://*', stored)).toBe(false);
    expect(isOriginAllowed('http://*.x', stored)).toBe(false);
    expect(isOriginAllowed('https://shop.example', stored)).toBe(true);
    expect(usableOrigins(stored)).toEqual(['https://shop.example']);
  });
});
