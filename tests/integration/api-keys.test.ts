/** API keys over the admin API: created with the key shown once, listed without it, revoked. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyDTO, CreatedApiKey } from '../../server/contract/api-keys.ts';
import { ADMIN, backends, createAgent, login, useSharedServer, type TestServer } from '../support/parley.ts';

describe.each(backends)('API keys on %s', (backend) => {
  let server: TestServer;
  let adminToken: string;

  useSharedServer((started) => (server = started), backend);
  beforeEach(async () => {
    adminToken = (await login(server, ADMIN.email, ADMIN.password)).accessToken;
  });

  async function admin<T>(method: string, path: string, body?: unknown, token = adminToken) {
    const res = await fetch(`${server.url}/api/admin/api-keys${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  it('shows the key once, lists it without the key, and revokes it', async () => {
    const created = await admin<CreatedApiKey>('POST', '', { name: 'CRM', scopes: ['conversations:read'], siteId: server.site.id, expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.apiKey).toMatchObject({ id: created.body.id, name: 'CRM', scopes: ['conversations:read'], siteId: server.site.id, revokedAt: null, lastUsedAt: null });
    expect(Date.parse(created.body.apiKey.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const listed = await admin<ApiKeyDTO[]>('GET', '');
    const mine = listed.body.find((k) => k.id === created.body.id);
    expect(mine).toEqual(created.body.apiKey);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    await fetch(`${server.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${created.body.key}` } });
    const used = (await admin<ApiKeyDTO[]>('GET', '')).body.find((k) => k.id === created.body.id)!;
    expect(used.lastUsedAt).not.toBeNull();

    const revoked = await admin<ApiKeyDTO>('DELETE', `/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await admin('DELETE', '/no-such-key')).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('refuses bad requests and non-admins with a typed error and creates nothing', async () => {
    const before = (await admin<ApiKeyDTO[]>('GET', '')).body.length;
    for (const body of [
      { name: 'x', scopes: ['everything'] },
      { name: 'x', scopes: [] },
      { name: '', scopes: ['admin'] },
      { name: 'x', scopes: ['admin'], extra: 1 },
      { name: 'x', scopes: ['admin'], siteId: 'no-such-site' },
      { name: 'x', scopes: ['admin'], expiresInDays: 0 },
    ]) {
      const res = await admin('POST', '', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
    const bob = await createAgent(server, `keyless${Date.now()}`);
    const agentToken = (await login(server, bob.email, bob.password)).accessToken;
    expect((await admin('POST', '', { name: 'x', scopes: ['admin'] }, agentToken)).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await admin<ApiKeyDTO[]>('GET', '')).body.length).toBe(before);
  });
});
