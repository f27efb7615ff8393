/** Every environment variable Parley reads, parsed and validated once at start. */
import { z } from 'zod';
import { parseTrustProxy } from './auth/client-address.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().min(0).max(24 * 3600 * 1000);
const megabytes = z.coerce.number().int().min(1).max(1024 * 1024);

const schema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: (SQLite) or postgresql:// (PostgreSQL)')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  /** Names this cluster's keys in Redis and its leader lock, so several deployments can share the servers. */
  CLUSTER_NAME: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'lower-case letters, digits, _ and -').default('parley'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ADMIN_EMAIL: z.email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  REQUEUE_GRACE_MS: positiveMs.default(60_000),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(900).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  VISITOR_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(730).default(365),
  TRUST_PROXY: z.string().default('false').transform((value, ctx) => {
    try {
      return parseTrustProxy(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** `false` in production: no demo page, and no demo site created on first start. */
  DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: positiveMs.default(10_000),
  PING_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(25_000),
  PING_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  RATE_LIMIT_SCALE: z.coerce.number().positive().max(1_000_000).default(1),
  /** Visitor upload quotas in MiB: per address per hour and per site per day (scaled by RATE_LIMIT_SCALE). */
  UPLOAD_QUOTA_ADDRESS_MB: megabytes.default(50),
  UPLOAD_QUOTA_SITE_MB: megabytes.default(500),
  /** Visitors' files stored but not yet sent, over every site, in MiB; and how long such a file is kept. */
  UPLOAD_UNSENT_MAX_MB: megabytes.default(1024),
  UPLOAD_UNSENT_TTL_MIN: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  /** Bearer token Prometheus presents for GET /metrics; with neither this nor METRICS_PORT, /metrics is not served. */
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 visible ASCII characters, no spaces').optional(),
  /** Serves /metrics on this port of 127.0.0.1 instead of the main port (`0` picks a free one). */
  METRICS_PORT: port.optional(),
  /** `true` lets webhooks reach loopback, private and link-local addresses (tests, trusted networks). */
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** How long a webhook receiver has to answer, connecting included. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(25_000).default(10_000),
  /** First pause before a failed webhook delivery is retried; it doubles up to 240 times this (2 h by default). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** The relay Parley sends email through: smtp:// or smtps://, credentials in the URL. Unset: email is off. */
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@smtp.example.com:465' })
    .optional(),
  /** The From of every email, e.g. `Acme Support <support@acme.example>`. Required with SMTP_URL. */
  MAIL_FROM: z.string().regex(/^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address, or a name and <address>').optional(),
  /** The domain of reply addresses (reply+<token>@MAIL_REPLY_DOMAIN); its MX must reach the inbound receiver. */
  MAIL_REPLY_DOMAIN: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$/i, 'must be a domain name, e.g. reply.acme.example')
    .optional(),
  /**
   * How long the relay has for each SMTP step (connecting, greeting, every answer), and for a whole send: a send
   * running longer is abandoned and retried. A node that dies mid-send leaves its emails to others after twice this and 5 s.
   */
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  /** The first pause before an email the relay deferred is tried again; it doubles each time (to 1 h). */
  EMAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** Starts the built-in SMTP receiver for replies on this port (`0` picks a free one). */
  INBOUND_SMTP_PORT: port.optional(),
  /** PEM certificate and key files for STARTTLS on the SMTP receiver; without them STARTTLS is not offered. */
  INBOUND_SMTP_TLS_CERT: z.string().min(1).optional(),
  INBOUND_SMTP_TLS_KEY: z.string().min(1).optional(),
  /** Secret the HTTP inbound route (POST /api/inbound/email) requires, as a Bearer token or Basic password. */
  INBOUND_EMAIL_SECRET: z.string().regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 visible ASCII characters, no spaces').optional(),
  /** Web Push (VAPID) keys, base64url; generated into DATA_DIR on first start when unset. Set both when several nodes run. */
  VAPID_PUBLIC_KEY: z.string().regex(/^[A-Za-z0-9_-]{87}$/, 'must be the base64url of an uncompressed P-256 public key (87 characters)').optional(),
  VAPID_PRIVATE_KEY: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url of a P-256 private key (43 characters)').optional(),
}).superRefine((config, ctx) => {
  if (config.SMTP_URL && !config.MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'is required when SMTP_URL is set' });
  if (config.INBOUND_SMTP_PORT !== undefined && !config.MAIL_REPLY_DOMAIN) {
    ctx.addIssue({ code: 'custom', path: ['MAIL_REPLY_DOMAIN'], message: 'is required when INBOUND_SMTP_PORT is set' });
  }
  if (Boolean(config.INBOUND_SMTP_TLS_CERT) !== Boolean(config.INBOUND_SMTP_TLS_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['INBOUND_SMTP_TLS_KEY'], message: 'INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY are set together or not at all' });
  }
  if (config.INBOUND_EMAIL_SECRET && !config.MAIL_REPLY_DOMAIN) {
    ctx.addIssue({ code: 'custom', path: ['MAIL_REPLY_DOMAIN'], message: 'is required when INBOUND_EMAIL_SECRET is set' });
  }
  if (Boolean(config.VAPID_PUBLIC_KEY) !== Boolean(config.VAPID_PRIVATE_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['VAPID_PRIVATE_KEY'], message: 'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together or not at all' });
  }
});

export type Config = z.infer<typeof schema> & { DATABASE_URL: string };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  return { ...config, DATABASE_URL: config.DATABASE_URL ?? `file:${config.DATA_DIR}/parley.db` };
}
