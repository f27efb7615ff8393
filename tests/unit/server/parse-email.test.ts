import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../server/email/inbound/parse-email.ts';
import { InboundRefusal } from '../../../server/email/inbound/refusal.ts';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('reading an email reply', () => {
  it('uses the text part of a multipart/alternative reply, not its HTML', async () => {
    const reply = await parseEmail(crlf([
      'From: "Ada" <Ada@Example.org>',
      'To: reply+abc@reply.example',
      'Message-ID: <m1@example.org>',
      'In-Reply-To: <r.1.2@reply.example>',
      'References: <first@x> <r.1.2@reply.example>',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'From the text part',
      '',
      'On Sat, Dec 5, 2026 at 10:02 AM Shop wrote:',
      '> old',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>From the HTML part</p>',
      '--alt--',
      '',
    ]));
    expect(reply).toMatchObject({ messageId: '<m1@example.org>', sender: 'ada@example.org', text: 'From the text part' });
    expect(reply.references).toEqual(['<r.1.2@reply.example>', '<r.1.2@reply.example>', '<first@x>']);
  });

  it('converts an HTML-only Outlook reply, leaving out the quoted message block', async () => {
    const reply = await parseEmail(crlf([
      'From: jan@example.nl',
      'To: support@shop.example',
      'Delivered-To: reply+abc@reply.example',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><div>Please cancel <b>order 4411</b>.</div><div><br></div><div>Jan</div>',
      '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Shop<br><b>Sent:</b> Saturday<br><b>Subject:</b> Re</div>',
      '<div>Which order do you mean?</div></body></html>',
    ]));
    expect(reply.text).toBe('Please cancel order 4411.\n\nJan');
    expect(reply.recipients).toEqual(['support@shop.example', 'reply+abc@reply.example']);
  });

  it('derives the same Message-ID from the same bytes when the message has none', async () => {
    const raw = crlf(['From: ada@example.org', 'Subject: no id', '', 'hello', '']);
    const first = await parseEmail(raw);
    expect(first.messageId).toMatch(/^<[0-9a-f]{64}@hash>$/);
    expect((await parseEmail(Buffer.from(raw))).messageId).toBe(first.messageId);
    expect((await parseEmail(crlf(['From: ada@example.org', 'Subject: no id', '', 'hello!', '']))).messageId).not.toBe(first.messageId);
  });

  it('refuses a message without a sender, and one with too many MIME levels', async () => {
    await expect(parseEmail(crlf(['To: x@y.example', '', 'hello']))).rejects.toMatchObject({ kind: 'malformed' });
    let body = 'Content-Type: text/plain\r\n\r\nhi\r\n';
    for (let level = 20; level > 0; level--) body = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n${body}--b${level}--\r\n`;
    const nested = parseEmail(Buffer.from(`From: a@b.example\r\n${body}`));
    await expect(nested).rejects.toBeInstanceOf(InboundRefusal);
    await expect(nested).rejects.toMatchObject({ kind: 'malformed' });
  });
});
