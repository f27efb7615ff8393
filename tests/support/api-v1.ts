/** Calling the REST API v1 in tests: keys made through the admin API, requests with one of them. */
import type { CreatedApiKey, CreateApiKeyRequest } from '../../server/contract/api-keys.ts';
import { ADMIN, login, type Target } from './parley.ts';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  method: string;
  path: string;
}

/** Every answer the API tests saw, for the check against the OpenAPI document. */
export const seenAnswers: ApiAnswer[] = [];

export async function createKey(server: Target, request: CreateApiKeyRequest): Promise<CreatedApiKey> {
  const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
  const res = await fetch(`${server.url}/api/admin/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (res.status !== 201) throw new Error(`api key ${res.status}: ${await res.text()}`);
  return (await res.json()) as CreatedApiKey;
}

export async function api<T = unknown>(server: Target, key: string | null, method: string, path: string, body?: unknown, raw?: string): Promise<ApiAnswer<T>> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { ...(key !== null && { authorization: `Bearer ${key}` }), ...((body !== undefined || raw !== undefined) && { 'content-type': 'application/json' }) },
    body: raw ?? (body === undefined ? null : JSON.stringify(body)),
  });
  const text = await res.text();
  const answer = { status: res.status, body: (text ? JSON.parse(text) : null) as T, method, path: path.split('?')[0]! };
  seenAnswers.push(answer);
  return answer;
}
