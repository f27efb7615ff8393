/**
 * Push subscriptions and alert preferences as the console sends them. A subscription's endpoint is where the
 * server will POST: https only (the push services all are); plain http to a loopback address only when
 * WEBHOOK_ALLOW_PRIVATE is set, for tests against a local receiver. Keys are checked for their exact sizes:
 * p256dh an uncompressed P-256 point (65 bytes, 0x04 first), auth 16 bytes, both base64url without padding.
 */
import { z } from 'zod';
import { ALERT_CHANNELS, ALERT_KINDS, type AlertChannel, type AlertPreferencesDTO, type PushSubscriptionRequest } from '../contract/alerts.ts';
import { isValidTimeZone } from '../app/reports.ts';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

const base64urlBytes = (bytes: number, check: (decoded: Buffer) => boolean = () => true) =>
  z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), `must be ${bytes} bytes in base64url`)
    .refine((value) => check(Buffer.from(value, 'base64url')), 'is not a valid key');

export function pushSubscriptionSchema(allowLoopbackHttp: boolean): z.ZodType<PushSubscriptionRequest> {
  const endpoint = z
    .url()
    .max(2048)
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || (allowLoopbackHttp && url.protocol === 'http:' && LOOPBACK.has(url.hostname));
    }, 'must be an https: URL');
  return z.object({
    endpoint,
    // Browsers add expirationTime; it is not kept.
    expirationTime: z.number().nullable().optional(),
    keys: z.strictObject({ p256dh: base64urlBytes(65, (key) => key[0] === 0x04), auth: base64urlBytes(16) }),
  }).strict().transform(({ endpoint, keys }) => ({ endpoint, keys }));
}

export const pushEndpointQuery = z.strictObject({ endpoint: z.url().max(2048) });

const minuteOfDay = z.number().int().min(0).max(1439);

const channels = z.strictObject(
  Object.fromEntries(
    ALERT_KINDS.map((kind) => [kind, z.strictObject(Object.fromEntries((ALERT_CHANNELS[kind] as readonly AlertChannel[]).map((c) => [c, z.boolean()])))]),
  ),
);

export const alertPreferencesSchema = z.strictObject({
  channels,
  quietHours: z.strictObject({ from: minuteOfDay, to: minuteOfDay }).nullable(),
  timeZone: z.string().min(1).max(64).refine(isValidTimeZone, 'must be an IANA time zone'),
});

/** Fills the channels a kind does not use, so the stored shape is always complete. */
export function completePreferences(input: z.output<typeof alertPreferencesSchema>): AlertPreferencesDTO {
  const filled = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, { push: false, email: false, ...(input.channels[kind] as object) }]));
  return { channels: filled as AlertPreferencesDTO['channels'], quietHours: input.quietHours, timeZone: input.timeZone };
}
