import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { TokenSigner } from '../../../server/auth/tokens.ts';

const SECRET = 's'.repeat(48);
const signer = new TokenSigner(SECRET, 900, 86_400);

describe('TokenSigner', () => {
  it('round-trips agent and visitor claims', () => {
    const agent = signer.signAgent({ agentId: 'a1', role: 'admin', sessionId: 'f1' });
    expect(signer.verifyAgent(agent.token)).toMatchObject({ agentId: 'a1', role: 'admin', sessionId: 'f1' });
    const visitor = signer.signVisitor({ visitorId: 'v1', siteId: 's1', keyVersion: 3 });
    expect(signer.verifyVisitor(visitor.token)).toMatchObject({ visitorId: 'v1', siteId: 's1', keyVersion: 3 });
    // The expiry in the token, to the second, is what verification reports.
    expect(Math.abs(signer.verifyAgent(agent.token).expiresAt.getTime() - agent.expiresAt.getTime())).toBeLessThan(1000);
  });

  it('keeps the two kinds apart by audience', () => {
    expect(() => signer.verifyAgent(signer.signVisitor({ visitorId: 'v1', siteId: 's1', keyVersion: 1 }).token)).toThrow('Invalid token');
    expect(() => signer.verifyVisitor(signer.signAgent({ agentId: 'a1', role: 'agent', sessionId: 'f1' }).token)).toThrow('Invalid token');
  });

  it('refuses a correctly signed token that has no expiry, for every audience', () => {
    // Hand-signed with the real key and claims, only `exp` left out: jsonwebtoken alone would accept these forever.
    const agent = jwt.sign({ role: 'agent', sid: 'f1' }, SECRET, { algorithm: 'HS256', subject: 'a1', audience: 'parley:agent', issuer: 'parley' });
    const visitor = jwt.sign({ site: 's1', kv: 1 }, SECRET, { algorithm: 'HS256', subject: 'v1', audience: 'parley:visitor', issuer: 'parley' });
    expect(() => signer.verifyAgent(agent)).toThrow('Invalid token');
    expect(() => signer.verifyVisitor(visitor)).toThrow('Invalid token');
  });

  it('reads a visitor token signed before key versions as the first version', () => {
    const old = jwt.sign({ site: 's1' }, SECRET, { algorithm: 'HS256', subject: 'v1', audience: 'parley:visitor', issuer: 'parley', expiresIn: 60 });
    expect(signer.verifyVisitor(old).keyVersion).toBe(1);
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
