/** The SMTP receiver offers STARTTLS only with a configured certificate, and never AUTH (it is an MX). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPLY_DOMAIN } from '../support/inbound-email.ts';
import { startServer, type TestServer } from '../support/parley.ts';

const servers: TestServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'parley-mx-'));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** What the receiver answers to EHLO. */
function ehlo(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let greeted = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (!greeted && /^220 /m.test(text)) {
        greeted = true;
        socket.write('EHLO test.example\r\n');
      } else if (/^250 /m.test(text)) {
        socket.end('QUIT\r\n');
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

describe('SMTP receiver', () => {
  it('offers neither STARTTLS nor AUTH without a certificate', async () => {
    const server = await startServer({ MAIL_REPLY_DOMAIN: REPLY_DOMAIN, INBOUND_SMTP_PORT: '0' });
    servers.push(server);
    const answer = await ehlo(server.parley.inboundSmtpPort()!);
    expect(answer).toMatch(/^250[- ]SIZE 26214400/m);
    expect(answer).not.toMatch(/STARTTLS|AUTH/);
  });

  it('offers STARTTLS with INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${REPLY_DOMAIN}`, '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const server = await startServer({ MAIL_REPLY_DOMAIN: REPLY_DOMAIN, INBOUND_SMTP_PORT: '0', INBOUND_SMTP_TLS_CERT: cert, INBOUND_SMTP_TLS_KEY: key });
    servers.push(server);
    const answer = await ehlo(server.parley.inboundSmtpPort()!);
    expect(answer).toMatch(/^250[- ]STARTTLS/m);
    expect(answer).not.toMatch(/AUTH/);
  });
});
