/** Reads a raw RFC 5322 message with mailparser into what matching and appending need; refuses what is unreadable. */
import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { InboundRefusal } from './refusal.ts';
import { replyText } from './reply-text.ts';

/** An MX accepts messages up to this size; the HTTP route the same. */
export const MAX_INBOUND_EMAIL_BYTES = 25 * 1024 * 1024;
/**
 * mailparser (mailsplit) sets no bound on MIME parts or nesting, so a message is checked before it is parsed:
 * each multipart level declares a boundary, and each part has a header block.
 */
const MAX_BOUNDARIES = 16;
const MAX_PARTS = 200;
/** HTML beyond this is not read (a reply's new text comes first); deeper nesting is not followed. */
const MAX_HTML_CHARS = 2 * 1024 * 1024;
const MAX_HTML_DEPTH = 200;
/**
 * Quoted history in HTML replies, dropped before conversion: Gmail's gmail_quote, Apple Mail's and Thunderbird's
 * blockquote type=cite and cite prefix, and Outlook's rule above its reply header. Outlook's header itself
 * (From:, Sent:) and what follows it are cut by the text rules.
 */
const QUOTE_SELECTORS = ['blockquote', '.gmail_quote', '.moz-cite-prefix', 'hr', 'img'];

export interface InboundAttachment {
  fileName: string;
  data: Buffer;
}

export interface ParsedReply {
  /** The message's Message-ID, or `<sha256 of the raw message>@hash` when it has none: stable across redeliveries. */
  messageId: string;
  /** The From address, lower-cased. */
  sender: string;
  /** Every address it was sent to: envelope recipients, To, Cc, Delivered-To, X-Original-To. */
  recipients: string[];
  /** In-Reply-To first, then References newest first. */
  references: string[];
  /** The new text: quotes and signature stripped; the HTML part converted only when there is no text part. */
  text: string;
  attachments: InboundAttachment[];
}

export async function parseEmail(raw: Buffer, envelopeRecipients: string[] = []): Promise<ParsedReply> {
  if (raw.byteLength > MAX_INBOUND_EMAIL_BYTES) throw new InboundRefusal('too_large', 'The message is larger than 25 MB');
  checkStructure(raw);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipHtmlToText: true, skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true });
  } catch (error) {
    throw new InboundRefusal('malformed', `The message could not be parsed: ${(error as Error).message}`);
  }
  const sender = addresses(mail.from)[0];
  if (!sender) throw new InboundRefusal('malformed', 'The message has no From address');
  const headerAddresses = ['delivered-to', 'x-original-to'].flatMap((name) => headerValues(mail, name)).flatMap(bareAddresses);
  return {
    messageId: mail.messageId?.trim() || `<${createHash('sha256').update(raw).digest('hex')}@hash>`,
    sender,
    recipients: [...new Set([...envelopeRecipients.map((a) => a.toLowerCase()), ...addresses(mail.to), ...addresses(mail.cc), ...headerAddresses])],
    references: [mail.inReplyTo, ...[mail.references ?? []].flat().reverse()].filter((id): id is string => Boolean(id)),
    text: replyText(mail.text?.trim() ? mail.text : htmlText(mail.html)),
    // Inline images referenced by the HTML (cid:) are mostly signature logos; files sent as attachments are kept.
    attachments: mail.attachments
      .filter((a) => a.contentDisposition !== 'inline' || !a.contentId)
      .map((a) => ({ fileName: a.filename ?? 'attachment', data: a.content })),
  };
}

/** The HTML part as text, for a reply without a text part. */
function htmlText(html: string | false | undefined): string {
  if (!html) return '';
  return convert(html, {
    wordwrap: false,
    selectors: [...QUOTE_SELECTORS.map((selector) => ({ selector, format: 'skip' })), { selector: 'a', options: { ignoreHref: true } }],
    limits: { maxDepth: MAX_HTML_DEPTH, maxInputLength: MAX_HTML_CHARS },
  });
}

/** Refuses a message with more boundaries or part headers than any real reply has, before parsing it. */
function checkStructure(raw: Buffer): void {
  const text = raw.toString('latin1');
  const boundaries = text.match(/boundary\s*=/gi)?.length ?? 0;
  const parts = text.match(/^content-type\s*:/gim)?.length ?? 0;
  if (boundaries > MAX_BOUNDARIES || parts > MAX_PARTS) {
    throw new InboundRefusal('malformed', `The message has too many MIME parts (${parts}) or levels (${boundaries})`);
  }
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const flatten = (entries: AddressObject['value']): string[] =>
    entries.flatMap((entry) => [...(entry.address ? [entry.address.toLowerCase()] : []), ...flatten(entry.group ?? [])]);
  return [field ?? []].flat().flatMap((object) => flatten(object.value));
}

function headerValues(mail: ParsedMail, name: string): string[] {
  return mail.headerLines.filter((line) => line.key === name).map((line) => line.line.slice(line.line.indexOf(':') + 1));
}

const bareAddresses = (value: string): string[] => value.match(/[^\s<>,;:"]+@[^\s<>,;:"]+/g)?.map((a) => a.toLowerCase()) ?? [];
