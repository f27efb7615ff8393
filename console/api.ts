/** The admin REST API (server/contract/admin.ts), or another under /api, with the session's access token, renewed once on a 401. */
import type { ErrorCode } from '../server/contract/errors.ts';
import type { HttpErrorBody } from '../server/contract/http.ts';
import type { AgentAuth } from './auth.ts';

export class ApiError extends Error {
  readonly code: ErrorCode | 'NETWORK';

  constructor(code: ErrorCode | 'NETWORK', message: string) {
    super(message);
    this.code = code;
  }
}

export class AdminApi {
  /** `base`: the admin API, or another agent-token API (the knowledge base's /api/kb, an agent's own settings at /api/agent). */
  constructor(
    private readonly auth: AgentAuth,
    private readonly base = '/api/admin',
  ) {}

  get<T>(path: string): Promise<T> {
    return this.#json<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.#json<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.#json<T>('PATCH', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.#json<T>('PUT', path, body);
  }

  delete(path: string): Promise<void> {
    return this.#json<void>('DELETE', path);
  }

  /** Fetches a file (CSV) and hands it to the browser as a download. */
  async download(path: string, fileName: string): Promise<void> {
    const response = await this.#send('GET', path);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#send(method, path, body);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async #send(method: string, path: string, body?: unknown): Promise<Response> {
    const attempt = (token: string | undefined) =>
      fetch(`${this.base}${path}`, {
        method,
        credentials: 'same-origin',
        headers: {
          authorization: `Bearer ${token ?? ''}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : null,
      });
    let response: Response;
    try {
      response = await attempt(this.auth.session?.accessToken);
      if (response.status === 401) response = await attempt((await this.auth.refresh())?.accessToken);
    } catch {
      throw new ApiError('NETWORK', 'The server could not be reached');
    }
    if (!response.ok) {
      const error = (await response.json().catch(() => null)) as HttpErrorBody | null;
      throw new ApiError(error?.error.code ?? 'INTERNAL', error?.error.message ?? response.statusText);
    }
    return response;
  }
}
