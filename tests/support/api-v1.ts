/** Calling the REST API v1 in tests: keys made through the admin API, requests with one of them. */
import type { CreatedApiKey, CreateApiKeyRequest } from '../../server/contract/api-keys.ts';
import { ADMIN, login, type Target } from './parley.ts';

export interface ApiAnswer<T = unknown> {
  status: number;
  /** Parsed JSON, or the text of any other answer (a CSV, a file). */
  body: T;
  method: string;
  path: string;
  /** The media type without parameters, e.g. application/json. */
  contentType: string;
  headers: Headers;
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
  return call<T>(server, method, path, {
    method,
    headers: { ...(key !== null && { authorization: `Bearer ${key}` }), ...((body !== undefined || raw !== undefined) && { 'content-type': 'application/json' }) },
    body: raw ?? (body === undefined ? null : JSON.stringify(body)),
  });
}

/** POST /conversations/{id}/attachments: the file's bytes as the body, its name in X-File-Name. */
export async function uploadFile<T = unknown>(server: Target, key: string, conversationId: string, fileName: string, data: Uint8Array): Promise<ApiAnswer<T>> {
  const path = `/conversations/${conversationId}/attachments`;
  return call<T>(server, 'POST', path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(fileName) },
    body: new Blob([new Uint8Array(data)]),
  });
}

async function call<T>(server: Target, method: string, path: string, init: RequestInit): Promise<ApiAnswer<T>> {
  const res = await fetch(`${server.url}/api/v1${path}`, init);
  const text = await res.text();
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const body = (contentType === 'application/json' && text ? JSON.parse(text) : contentType === 'application/json' ? null : text) as T;
  const answer = { status: res.status, body, method, path: path.split('?')[0]!, contentType, headers: res.headers };
  seenAnswers.push(answer);
  return answer;
}
