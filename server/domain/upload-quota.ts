/**
 * Byte quotas for visitor uploads: per network address over an hour, per site over a day, and a cap on what is
 * stored but not yet sent in any message. Pure: the caller reads the usage and the clock.
 */

export const ADDRESS_WINDOW_MS = 3600_000;
export const SITE_WINDOW_MS = 24 * 3600_000;
/** Each retry hint is at least this long, so a client never spins on a quota about to clear. */
const MIN_RETRY_MS = 1000;

export interface UploadQuotas {
  /** Bytes one address may upload per ADDRESS_WINDOW_MS. */
  addressBytes: number;
  /** Bytes visitors of one site may upload per SITE_WINDOW_MS. */
  siteBytes: number;
  /** Bytes of visitors' unsent files stored at once, over every site. */
  unsentBytes: number;
  /** How long an unsent file is kept before the sweep deletes it. */
  unsentTtlMs: number;
}

/** Bytes counted against one quota, and when the oldest of them was stored (null when there are none). */
export interface Usage {
  bytes: number;
  oldestAt: number | null;
}

export interface UploadUsage {
  address: Usage;
  site: Usage;
  unsent: Usage;
}

export type QuotaName = keyof UploadUsage;

export type QuotaCheck = { ok: true } | { ok: false; quota: QuotaName; retryAfterMs: number };

/** Whether `incoming` more bytes fit every quota; if not, the first that refuses and when its oldest bytes leave it. */
export function checkUploadQuota(usage: UploadUsage, incoming: number, quotas: UploadQuotas, now: number): QuotaCheck {
  const rules: [QuotaName, number, number][] = [
    ['address', quotas.addressBytes, ADDRESS_WINDOW_MS],
    ['site', quotas.siteBytes, SITE_WINDOW_MS],
    ['unsent', quotas.unsentBytes, quotas.unsentTtlMs],
  ];
  for (const [quota, limit, window] of rules) {
    const used = usage[quota];
    if (used.bytes + incoming <= limit) continue;
    const freedAt = (used.oldestAt ?? now) + window;
    return { ok: false, quota, retryAfterMs: Math.max(MIN_RETRY_MS, freedAt - now) };
  }
  return { ok: true };
}
