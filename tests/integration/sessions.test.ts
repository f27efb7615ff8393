/**
 * Sessions end when they should: sign-out, token expiry, a new password, deactivation and a rotated site
 * visitor key each close the connections they covered, and the tokens they covered stop working.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { AgentAdminDTO, InviteResult, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { AgentSession } from '../../server/contract/http.ts';
import {
  ADMIN, connectAgent, connectVisitor, connected, createAgent, login, next, ok, SITE_ORIGIN, useNewSite, useSharedServer,
  visitorSession, type TestServer,
} from '../support/parley.ts';

let server: TestServer;
useSharedServer((started) => (server = started));

/** Signs in over HTTP and keeps the refresh cookie, as a browser would. */
async function signIn(email: string, password: string): Promise<{ session: AgentSession; cookie: string }> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${res.status}`);
  return { session: (await res.json()) as AgentSession, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
}

const refresh = (cookie: string) => fetch(`${server.url}/api/auth/refresh`, { method: 'POST', headers: { cookie } });

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
  const res = await fetch(`${server.url}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : null,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Resolves with the handshake's typed error, or 'connected' when the server let the socket in. */
function handshake(namespace: '/agent' | '/visitor', token: string, origin: string): Promise<{ code?: string; message?: string } | 'connected'> {
  const socket = io(`${server.url}${namespace}`, { transports: ['websocket'], auth: { token }, extraHeaders: { origin }, reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => resolve(err.data ?? { message: err.message }));
  });
}

/** A token signed with the server's own key: the claims of `like`, with `exp` three seconds away. */
function shortLived(like: string, audience: string): string {
  const { iat: _iat, exp: _exp, aud: _aud, iss: _iss, sub, ...claims } = jwt.decode(like) as jwt.JwtPayload;
  const secret = readFileSync(`${server.dataDir}/jwt-secret`, 'utf8').trim();
  return jwt.sign(claims, secret, { algorithm: 'HS256', subject: sub!, audience, issuer: 'parley', expiresIn: 3 });
}

describe('agent logins', () => {
  it('sign-out closes the connections of that login only, and its access token stops working', async () => {
    const credentials = await createAgent(server, `out${Date.now()}`);
    const leaving = await signIn(credentials.email, credentials.password);
    const staying = await connectAgent(server, credentials);
    const socket = io(`${server.url}/agent`, { transports: ['websocket'], auth: { token: leaving.session.accessToken }, extraHeaders: { origin: server.url }, reconnection: false, forceNew: true });
    await connected(socket);

    const told = next(socket, 'session:ended');
    const closed = next(socket, 'disconnect');
    expect((await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: leaving.cookie } })).status).toBe(204);
    expect(await told).toEqual({ code: 'UNAUTHORIZED', message: 'Signed out' });
    await closed;
    // The access token has minutes left, but its login has ended: no new connection with it.
    expect(await handshake('/agent', leaving.session.accessToken, server.url)).toEqual({ code: 'UNAUTHORIZED', message: 'Session ended, sign in again' });
    // The agent's other login (another browser) goes on.
    expect(staying.socket.connected).toBe(true);
    await ok(staying.socket, 'agents:list', {});
  });

  it('a signed-out admin token is refused by the admin API', async () => {
    const { session, cookie } = await signIn(ADMIN.email, ADMIN.password);
    await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    const res = await fetch(`${server.url}/api/admin/sites`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('closes an agent connection when its access token expires', async () => {
    const credentials = await createAgent(server, `exp${Date.now()}`);
    const { session } = await signIn(credentials.email, credentials.password);
    const socket = io(`${server.url}/agent`, {
      transports: ['websocket'],
      auth: { token: shortLived(session.accessToken, 'parley:agent') },
      extraHeaders: { origin: server.url },
      reconnection: false,
      forceNew: true,
    });
    await connected(socket);
    const closed = next<string>(socket, 'disconnect', () => true, 10_000);
    expect(await next(socket, 'session:ended', () => true, 10_000)).toEqual({ code: 'UNAUTHORIZED', message: 'Token expired' });
    expect(await closed).toBe('io server disconnect');
  });

  it('a password set through an invite link ends every earlier login of the agent', async () => {
    const email = `invited${Date.now()}@example.com`;
    const invited = await admin<InviteResult>('POST', '/agents', { email, name: 'Invited', role: 'agent', password: 'first-password' });
    const earlier = await signIn(email, 'first-password');
    const socket = io(`${server.url}/agent`, { transports: ['websocket'], auth: { token: earlier.session.accessToken }, extraHeaders: { origin: server.url }, reconnection: false, forceNew: true });
    await connected(socket);

    const closed = next(socket, 'disconnect');
    const reset = await admin<InviteResult>('POST', `/agents/${invited.agent.id}/invite`);
    const token = new URLSearchParams(new URL(reset.inviteUrl!).hash.slice(1)).get('token')!;
    const accepted = await fetch(`${server.url}/api/auth/invite/accept`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'second-password' }),
    });
    expect(accepted.status).toBe(200);
    await closed;
    expect((await refresh(earlier.cookie)).status).toBe(401);
    // The login the link itself made is the one that works.
    expect((await refresh(accepted.headers.get('set-cookie')!.split(';')[0]!)).status).toBe(200);
  });

  it('deactivation revokes every refresh token, and reactivation does not revive them', async () => {
    const credentials = await createAgent(server, `off${Date.now()}`);
    const { session, cookie } = await signIn(credentials.email, credentials.password);
    await admin<AgentAdminDTO>('PATCH', `/agents/${session.agent.id}`, { active: false });
    await admin<AgentAdminDTO>('PATCH', `/agents/${session.agent.id}`, { active: true });
    expect((await refresh(cookie)).status).toBe(401);
    expect(await handshake('/agent', session.accessToken, server.url)).toMatchObject({ code: 'UNAUTHORIZED' });
    // Signing in again works.
    expect((await signIn(credentials.email, credentials.password)).session.agent.id).toBe(session.agent.id);
  });

  it('an invite link handed out before a deactivation does not work after the reactivation', async () => {
    const email = `relinked${Date.now()}@example.com`;
    const invited = await admin<InviteResult>('POST', '/agents', { email, name: 'Relinked', role: 'agent' });
    await admin<AgentAdminDTO>('PATCH', `/agents/${invited.agent.id}`, { active: false });
    await admin<AgentAdminDTO>('PATCH', `/agents/${invited.agent.id}`, { active: true });
    const token = new URLSearchParams(new URL(invited.inviteUrl!).hash.slice(1)).get('token')!;
    const accepted = await fetch(`${server.url}/api/auth/invite/accept`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'stale-link-password' }),
    });
    expect(accepted.status).toBe(404);
    expect(await accepted.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('visitor tokens', () => {
  it('closes a visitor connection when its token expires', async () => {
    const { token } = await visitorSession(server);
    const { socket } = await connectVisitor(server, { token: shortLived(token, 'parley:visitor') });
    const closed = next<string>(socket, 'disconnect', () => true, 10_000);
    expect(await next(socket, 'session:ended', () => true, 10_000)).toEqual({ code: 'UNAUTHORIZED', message: 'Token expired' });
    expect(await closed).toBe('io server disconnect');
  });

  it("rotating a site's visitor key closes its visitors' connections and refuses their tokens; new sessions work", async () => {
    const other = await connectVisitor(server);
    const site = await useNewSite(server, 'Rotated');
    const visitor = await connectVisitor(server);
    const told = next(visitor.socket, 'session:ended');
    const closed = next(visitor.socket, 'disconnect');

    const rotated = await admin<SiteAdminDTO>('POST', `/sites/${site.id}/rotate-visitor-key`);
    expect(rotated.visitorKeyVersion).toBe(2);
    expect(await told).toEqual({ code: 'UNAUTHORIZED', message: "The site's visitor key was rotated" });
    await closed;
    expect(await handshake('/visitor', visitor.token, SITE_ORIGIN)).toEqual({
      code: 'UNAUTHORIZED',
      message: "Visitor token revoked by a rotation of the site's key",
    });
    // The widget's session renewal with the old token starts a new visitor, whose token connects.
    const renewed = await visitorSession(server, SITE_ORIGIN, visitor.token);
    expect(renewed.visitorId).not.toBe(visitor.visitorId);
    expect(await handshake('/visitor', renewed.token, SITE_ORIGIN)).toBe('connected');
    // Another site's visitors are left alone.
    expect(other.socket.connected).toBe(true);
  });

  it('rotates from the command line too', async () => {
    const visitor = await visitorSession(server);
    const env = { ...process.env, DATA_DIR: server.dataDir, LOG_LEVEL: 'silent' };
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'site', 'rotate-visitor-key', '--key', server.site.publicKey, '--json'], { env, cwd: process.cwd() });
    expect(JSON.parse(stdout)).toEqual({ key: server.site.publicKey, id: server.site.id, visitorKeyVersion: 2 });
    expect(await handshake('/visitor', visitor.token, SITE_ORIGIN)).toMatchObject({ code: 'UNAUTHORIZED' });
  }, 60_000);
});
