/**
 * Origin checks are exact string comparisons of normalised origins: no suffix matching, no regexes,
 * so `https://evil-example.com` never passes for `https://example.com`.
 */

/** `https://Example.com:443/` -> `https://example.com`; anything that is not an http(s) origin -> null. */
export function normaliseOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  return url.origin;
}

export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  const normalised = normaliseOrigin(origin);
  // The header must already be in canonical form: browsers never send paths or upper case.
  return normalised !== null && normalised === origin && allowed.includes(normalised);
}

/**
 * Is `origin` the chat server itself (the console, the widget frame)? With PUBLIC_URL set, only that origin
 * counts. Without it (local use), the origin must match the Host the request was sent to, which a
 * browser on another site cannot forge.
 */
export function isOwnOrigin(
  origin: string | undefined,
  request: { host: string | undefined; secure: boolean },
  publicOrigin: string | undefined,
): boolean {
  if (!origin || origin === 'null') return false;
  if (publicOrigin) return origin === publicOrigin;
  if (!request.host) return false;
  const expected = normaliseOrigin(`${request.secure ? 'https' : 'http'}://${request.host}`);
  return expected !== null && origin === expected;
}
