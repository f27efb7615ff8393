import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.ts';

describe('loadConfig', () => {
  it('has working defaults: SQLite under ./data, port 3000, 60 s grace', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_URL: 'file:./data/parley.db', REQUEUE_GRACE_MS: 60_000, ACCESS_TOKEN_TTL_S: 900 });
    expect(config.JWT_SECRET).toBeUndefined();
    expect(config).toMatchObject({ UPLOAD_QUOTA_ADDRESS_MB: 50, UPLOAD_QUOTA_SITE_MB: 500, UPLOAD_UNSENT_MAX_MB: 1024, UPLOAD_UNSENT_TTL_MIN: 60 });
  });

  it('reads TRUST_PROXY as no proxy, a number of hops or a list of proxies, and DEMO as on unless false', () => {
    expect(loadConfig({})).toMatchObject({ TRUST_PROXY: false, DEMO: true });
    expect(loadConfig({ TRUST_PROXY: '1', DEMO: 'false' })).toMatchObject({ TRUST_PROXY: 1, DEMO: false });
    expect(loadConfig({ TRUST_PROXY: 'loopback,10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
  });

  it('serves no metrics unless METRICS_TOKEN or METRICS_PORT is set', () => {
    const config = loadConfig({});
    expect([config.METRICS_TOKEN, config.METRICS_PORT]).toEqual([undefined, undefined]);
    expect(loadConfig({ METRICS_TOKEN: 'a-long-enough-token', METRICS_PORT: '9464' })).toMatchObject({ METRICS_TOKEN: 'a-long-enough-token', METRICS_PORT: 9464 });
  });

  it('turns email on with SMTP_URL and MAIL_FROM together (30 s per relay step unless SMTP_TIMEOUT_MS), and refuses half a set-up with the variable to fix', () => {
    expect(loadConfig({}).SMTP_URL).toBeUndefined();
    const on = loadConfig({ SMTP_URL: 'smtps://user:pass@smtp.example.com:465', MAIL_FROM: 'Acme <help@acme.example>', MAIL_REPLY_DOMAIN: 'reply.acme.example' });
    expect(on).toMatchObject({ MAIL_FROM: 'Acme <help@acme.example>', MAIL_REPLY_DOMAIN: 'reply.acme.example', SMTP_TIMEOUT_MS: 30_000 });
    expect(loadConfig({ SMTP_TIMEOUT_MS: '3000' }).SMTP_TIMEOUT_MS).toBe(3_000);
    expect(() => loadConfig({ SMTP_URL: 'smtp://relay:25' })).toThrow(/MAIL_FROM: is required when SMTP_URL is set/);
    expect(() => loadConfig({ SMTP_URL: 'http://relay', MAIL_FROM: 'a@b.example' })).toThrow(/SMTP_URL: must be an smtp/);
    expect(() => loadConfig({ INBOUND_SMTP_PORT: '2525' })).toThrow(/MAIL_REPLY_DOMAIN: is required/);
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: 'A'.repeat(87) })).toThrow(/set together/);
    expect(() => loadConfig({ MAIL_REPLY_DOMAIN: 'reply.acme.example', INBOUND_SMTP_PORT: '25', INBOUND_SMTP_TLS_CERT: '/etc/ssl/mx.pem' })).toThrow(
      /INBOUND_SMTP_TLS_KEY: INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY are set together/,
    );
  });

  it('derives the SQLite file from DATA_DIR and treats empty values as unset', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/parley', PORT: '' }).DATABASE_URL).toBe('file:/var/lib/parley/parley.db');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET: must be at least 32 characters'],
    [{ ADMIN_EMAIL: 'not-an-email' }, 'ADMIN_EMAIL'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ ACCESS_TOKEN_TTL_S: '3600' }, 'ACCESS_TOKEN_TTL_S'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY: `true` is no longer accepted'],
    [{ TRUST_PROXY: 'proxy.internal' }, 'TRUST_PROXY: invalid IP address'],
    [{ DEMO: 'off' }, 'DEMO'],
    [{ UPLOAD_QUOTA_ADDRESS_MB: '0' }, 'UPLOAD_QUOTA_ADDRESS_MB'],
    [{ UPLOAD_QUOTA_SITE_MB: 'lots' }, 'UPLOAD_QUOTA_SITE_MB'],
    [{ UPLOAD_UNSENT_MAX_MB: '-1' }, 'UPLOAD_UNSENT_MAX_MB'],
    [{ UPLOAD_UNSENT_TTL_MIN: '0.5' }, 'UPLOAD_UNSENT_TTL_MIN'],
    [{ METRICS_TOKEN: 'too-short' }, 'METRICS_TOKEN: must be 16 to 256 visible ASCII characters'],
    [{ METRICS_TOKEN: 'has a space in the middle' }, 'METRICS_TOKEN'],
    [{ METRICS_PORT: '65536' }, 'METRICS_PORT'],
    [{ SMTP_TIMEOUT_MS: '999' }, 'SMTP_TIMEOUT_MS'],
    [{ SMTP_TIMEOUT_MS: '300001' }, 'SMTP_TIMEOUT_MS'],
    [{ SMTP_TIMEOUT_MS: 'soon' }, 'SMTP_TIMEOUT_MS'],
  ])('refuses %j with a message naming the variable', (env, expected) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(expected);
  });
});
