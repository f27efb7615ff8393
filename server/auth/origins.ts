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

/** Scheme, then a bracketed IPv6 literal or a host with no delimiters, an optional port and at most a final slash. */
const ORIGIN_SHAPE = /^https?:\/\/(\[[0-9a-f:.]+\]|[^\s/\\?#@:[\]]+)(:\d{1,5})?\/?$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// Underscores are not DNS but browsers accept them, and container host names (compose services) have them.
const DNS_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * An origin a site may allow, normalised (`https://Shop.example:443/` -> `https://shop.example`), or null. Only
 * http(s), a DNS name (IDN as punycode) or an IP literal, and a port: these reach CORS and the frame's CSP
 * `frame-ancestors` as they are, where `*`, `;` or a path would widen or rewrite the policy.
 */
export function parseAllowedOrigin(value: string): string | null {
  if (!ORIGIN_SHAPE.test(value)) return null;
  const origin = normaliseOrigin(value);
  if (!origin) return null;
  const host = new URL(origin).hostname;
  // URL has already checked IP literals, and rewritten IPv4 in other notations as dotted decimal.
  if (host.startsWith('[') || IPV4.test(host)) return origin;
  return host.length <= 253 && host.split('.').every((label) => DNS_LABEL.test(label)) ? origin : null;
}

export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  // The header must already be in canonical form (browsers never send paths or upper case), so a stored origin
  // that is not a valid one, from before they were checked, matches nothing.
  return parseAllowedOrigin(origin) === origin && allowed.includes(origin);
}

/** A site's stored origins that are valid: older sites may hold some saved before origins were checked. */
export function usableOrigins(stored: readonly string[]): string[] {
  return stored.filter((origin) => parseAllowedOrigin(origin) === origin);
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
  // Host is the client's to choose: only a real host and port can name us (and be echoed in CORS).
  const expected = parseAllowedOrigin(`${request.secure ? 'https' : 'http'}://${request.host}`);
  return expected !== null && origin === expected;
}
