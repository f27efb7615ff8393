import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { TokenSigner } from '../../../server/auth/tokens.ts';

const SECRET = 's'.repeat(48);
const signer = new TokenSigner(SECRET, 900, 86_400);

describe('TokenSigner', () => {
  it('round-trips agent and visitor claims', () => {
    expect(signer.verifyAgent(signer.signAgent({ agentId: 'a1', role: 'admin' }).token)).toEqual({ agentId: 'a1', role: 'admin' });
    expect(signer.verifyVisitor(signer.signVisitor({ visitorId: 'v1', siteId: 's1' }).token)).toEqual({ visitorId: 'v1', siteId: 's1' });
  });

  it('keeps the two kinds apart by audience', () => {
    expect(() => signer.verifyAgent(signer.signVisitor({ visitorId: 'v1', siteId: 's1' }).token)).toThrow('Invalid token');
    expect(() => signer.verifyVisitor(signer.signAgent({ agentId: 'a1', role: 'agent' }).token)).toThrow('Invalid token');
  });

  it('refuses alg none, another algorithm, another key, another issuer and expired tokens', () => {
    const claims = { role: 'admin', sub: 'a1', aud: 'parley:agent', iss: 'parley' };
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(() => signer.verifyAgent(none)).toThrow('Invalid token');
    expect(() => signer.verifyAgent(jwt.sign(claims, SECRET, { algorithm: 'HS512' }))).toThrow('Invalid token');
    expect(() => signer.verifyAgent(jwt.sign(claims, 'k'.repeat(48), { algorithm: 'HS256' }))).toThrow('Invalid token');
    expect(() => signer.verifyAgent(jwt.sign({ ...claims, iss: 'other' }, SECRET, { algorithm: 'HS256' }))).toThrow('Invalid token');
    expect(() => signer.verifyAgent(jwt.sign({ ...claims, role: 'root' }, SECRET, { algorithm: 'HS256' }))).toThrow('Invalid token');
    expect(() => signer.verifyAgent(jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, SECRET, { algorithm: 'HS256' }))).toThrow('Token expired');
    // Algorithm confusion: an RS256 token (what an attacker would make with a public key) is refused outright.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => signer.verifyAgent(jwt.sign(claims, privateKey, { algorithm: 'RS256' }))).toThrow('Invalid token');
    expect(() => signer.verifyAgent(undefined)).toThrow('Invalid token');
    expect(() => signer.verifyAgent('x'.repeat(5000))).toThrow('Invalid token');
  });
});
