import { describe, expect, it } from 'vitest';
import { isOriginAllowed, isOwnOrigin, normaliseOrigin } from '../../../server/auth/origins.ts';

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
  });
});
