/** The two HTTP calls the loader makes from the host page (CORS, no cookies). */
import type { VisitorSessionRequest, VisitorSessionResponse, WidgetConfig } from '../../server/contract/http.ts';

async function jsonOrThrow<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function fetchWidgetConfig(origin: string, siteKey: string): Promise<WidgetConfig> {
  return jsonOrThrow(await fetch(`${origin}/api/widget/config?site=${encodeURIComponent(siteKey)}`));
}

export async function createVisitorSession(origin: string, request: VisitorSessionRequest): Promise<VisitorSessionResponse> {
  // A string body goes as text/plain: a "simple" CORS request, so no preflight round trip first.
  const response = await fetch(`${origin}/api/widget/session`, { method: 'POST', body: JSON.stringify(request) });
  return jsonOrThrow(response);
}
