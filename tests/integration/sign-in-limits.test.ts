/**
 * Sign-in limits from several client addresses. Linux answers on all of 127.0.0.0/8, so each test address is a
 * real local address the request is sent from: no proxy header is trusted or needed.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createAgent, startServer, type TestServer } from '../support/parley.ts';

let server: TestServer;

/** POST /api/auth/login from local address `from`. */
function signIn(from: string, credentials: { email: string; password: string }): Promise<{ status: number; body: { error?: { code: string; retryAfterMs?: number } } }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/auth/login', server.url), { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(credentials));
  });
}

const statuses = async (from: string, credentials: { email: string; password: string }, times: number) => {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await signIn(from, credentials)).status);
  return seen;
};

describe.each(backends)('sign-in limits per account and address (%s)', (backend) => {
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1' }, backend);
  });
  afterAll(() => server.close());

  it("an attacker's wrong passwords from one address do not lock the owner out elsewhere; the attacker stays refused", async () => {
    const owner = await createAgent(server, 'owner');
    const wrong = { email: owner.email, password: 'not-the-password' };
    expect(await statuses('127.0.0.2', wrong, 8)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);

    expect((await signIn('127.0.0.3', owner)).status).toBe(200);

    // The attacker's address stays refused, also with the right password, and is told when to retry.
    const attacker = await signIn('127.0.0.2', owner);
    expect(attacker.status).toBe(429);
    expect(attacker.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
  });

  it('slows down every address that has failed the account once it failed from many, never a fresh one', async () => {
    const owner = await createAgent(server, 'target');
    const wrong = { email: owner.email, password: 'not-the-password' };
    await statuses('127.0.1.1', wrong, 5);
    // Eight more addresses, one guess each: each is fresh, so it is heard (and counted) however slow the account is.
    for (let i = 2; i < 10; i++) expect((await signIn(`127.0.1.${i}`, wrong)).status, `address ${i}`).toBe(401);

    // Thirteen failures: an address that has failed itself waits minutes (2^8 s after the last), right password or not.
    const slowed = await signIn('127.0.1.2', owner);
    expect(slowed.status).toBe(429);
    expect(slowed.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(slowed.body.error!.retryAfterMs!).toBeGreaterThan(60_000);

    // The owner, from an address with no failures, signs in.
    expect((await signIn('127.0.1.20', owner)).status).toBe(200);
  });

  it('a successful sign-in clears the failures of its address, not being refused for earlier typos', async () => {
    const agent = await createAgent(server, 'typist');
    const typo = { email: agent.email, password: 'typo' };
    expect(await statuses('127.0.2.1', typo, 4)).toEqual([401, 401, 401, 401]);
    expect((await signIn('127.0.2.1', agent)).status).toBe(200);
    expect(await statuses('127.0.2.1', typo, 4)).toEqual([401, 401, 401, 401]);
    expect((await signIn('127.0.2.1', agent)).status).toBe(200);
  });

  it('answers a wrong password the same for unknown emails, so limits do not reveal which accounts exist', async () => {
    const unknown = { email: 'nobody@example.com', password: 'guess' };
    expect(await statuses('127.0.3.1', unknown, 7)).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});
