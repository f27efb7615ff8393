/**
 * File uploads: size limit, type decided by the file's first bytes (never by its name or declared type),
 * and download links signed with an expiry, so a link works without a token in the URL and stops working.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AttachmentDTO } from '../contract/dto.ts';
import type { AttachmentLimits } from '../contract/http.ts';
import type { Clock } from '../domain/clock.ts';
import { ADDRESS_WINDOW_MS, checkUploadQuota, SITE_WINDOW_MS, type QuotaName, type UploadQuotas } from '../domain/upload-quota.ts';
import { AppError } from './errors.ts';
import type { Store, StoredAttachment } from './ports.ts';

export const ATTACHMENT_LIMITS: AttachmentLimits = {
  maxBytes: 10 * 1024 * 1024,
  types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'],
};

/** The extensions a saved file may carry for each accepted type; the first is added when the name has none of them. */
const EXTENSIONS: Record<string, string[]> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/gif': ['.gif'],
  'image/webp': ['.webp'],
  'application/pdf': ['.pdf'],
  'text/plain': ['.txt'],
};

/** Links stay valid at least a day; rounding to the hour keeps one URL per hour, so browsers can cache. */
const LINK_TTL_MS = 24 * 3600_000;
const HOUR_MS = 3600_000;
const MAX_NAME = 200;

/** Visitors' uploads count against byte quotas by network address; agents' are bound to a conversation they serve. */
export type Uploader =
  | { kind: 'visitor'; visitorId: string; siteId: string; address: string }
  | { kind: 'agent'; agentId: string; siteId: string };

const QUOTA_MESSAGES: Record<QuotaName, string> = {
  address: 'Too many files from your network; please try again later',
  site: 'This site has received too many files for now; please try again later',
  unsent: 'Too many files are waiting to be sent; please try again later',
};

/** Signed, expiring download links: no token in the URL, and a leaked link stops working. */
export class AttachmentLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly clock: Clock,
  ) {
    this.key = createHmac('sha256', secret).update('parley attachment links').digest();
  }

  url(id: string): string {
    const exp = Math.ceil((this.clock.now() + LINK_TTL_MS) / HOUR_MS) * HOUR_MS;
    return `/api/attachments/${id}?exp=${exp}&sig=${this.sign(id, exp)}`;
  }

  isValid(id: string, expires: string, signature: string): boolean {
    const exp = Number(expires);
    if (!Number.isSafeInteger(exp) || exp < this.clock.now()) return false;
    const expected = Buffer.from(this.sign(id, exp));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${id}.${exp}`).digest('base64url');
  }
}

export class AttachmentService {
  constructor(
    private readonly store: Store,
    private readonly links: AttachmentLinks,
    private readonly clock: Clock,
    private readonly quotas: UploadQuotas,
  ) {}

  /**
   * Refuses a visitor's upload of `bytes` more that would exceed a byte quota: called with the declared length
   * before the body is read, and with the real one before it is stored. Uploads running at the same moment may
   * each pass before the others are stored, so a quota can be overrun by the files in flight then (each at most
   * ATTACHMENT_LIMITS.maxBytes, each visitor at most the upload rate limit's burst).
   */
  async admit(uploader: Uploader, bytes: number): Promise<void> {
    if (uploader.kind !== 'visitor') return;
    const now = this.clock.now();
    const usage = await this.store.attachments.visitorUsage({
      address: uploader.address,
      addressSince: new Date(now - ADDRESS_WINDOW_MS),
      siteId: uploader.siteId,
      siteSince: new Date(now - SITE_WINDOW_MS),
    });
    const check = checkUploadQuota(usage, bytes, this.quotas, now);
    if (!check.ok) throw new AppError('RATE_LIMITED', QUOTA_MESSAGES[check.quota], check.retryAfterMs);
  }

  async upload(uploader: Uploader, file: { fileName: string; data: Uint8Array; conversationId: string | null }): Promise<AttachmentDTO> {
    if (file.data.byteLength === 0) throw new AppError('BAD_REQUEST', 'The file is empty');
    if (file.data.byteLength > ATTACHMENT_LIMITS.maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'The file is too large');
    const contentType = sniffType(file.data);
    if (!contentType) throw new AppError('BAD_REQUEST', `Unsupported file type; allowed: ${ATTACHMENT_LIMITS.types.join(', ')}`);
    await this.admit(uploader, file.data.byteLength);
    const stored = await this.store.attachments.create({
      siteId: uploader.siteId,
      conversationId: file.conversationId,
      uploaderKind: uploader.kind,
      uploaderId: uploader.kind === 'visitor' ? uploader.visitorId : uploader.agentId,
      uploaderAddress: uploader.kind === 'visitor' ? uploader.address : null,
      createdAt: new Date(this.clock.now()),
      fileName: nameForType(cleanFileName(file.fileName), contentType),
      contentType,
      data: file.data,
    });
    const { id, fileName, size } = stored;
    return { id, fileName, contentType, size, image: contentType.startsWith('image/'), url: this.links.url(id) };
  }

  /** The stored file, if the link's signature is valid and unexpired. */
  async open(id: string, expires: string, signature: string): Promise<StoredAttachment> {
    if (!this.links.isValid(id, expires, signature)) throw new AppError('FORBIDDEN', 'This link has expired or is invalid');
    const file = await this.store.attachments.findById(id);
    if (!file) throw new AppError('NOT_FOUND', 'File not found');
    // Files stored before names were matched to their type get the same treatment on the way out.
    return { ...file, fileName: nameForType(file.fileName, file.contentType) };
  }

  /**
   * Deletes files uploaded but never sent in a message within the unsent TTL. Idempotent, so every node of a
   * cluster may run it; a send racing it either links the file first or is refused as an unknown attachment.
   */
  async sweepUnsent(): Promise<number> {
    return this.store.attachments.deleteUnsentBefore(new Date(this.clock.now() - this.quotas.unsentTtlMs));
  }
}

const startsWith = (data: Uint8Array, bytes: number[], offset = 0) => bytes.every((b, i) => data[offset + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The type the bytes say, or null when it is not one we accept. */
export function sniffType(data: Uint8Array): string | null {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(data, ascii('GIF87a')) || startsWith(data, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(data, ascii('RIFF')) && startsWith(data, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(data, ascii('%PDF-'))) return 'application/pdf';
  return isPlainText(data) ? 'text/plain' : null;
}

/** Valid UTF-8 without control characters other than tab and line breaks (so no HTML sniffing tricks matter). */
function isPlainText(data: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/** A display name: no path, no control or bidi-override characters, bounded. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, MAX_NAME);
  return cleaned || 'file';
}

/**
 * A name whose extension agrees with the type the bytes say, so the visitor's or agent's system opens the file as
 * what it is: `x.html` holding text becomes `x.txt`, `a.gif.html` holding a GIF becomes `a.gif`, `photo` a `photo.png`.
 */
export function nameForType(name: string, contentType: string): string {
  const allowed = EXTENSIONS[contentType] ?? [];
  const endsRight = (n: string) => allowed.some((ext) => n.toLowerCase().endsWith(ext) && n.length > ext.length);
  if (endsRight(name)) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return endsRight(stem) ? stem : `${stem}${allowed[0] ?? ''}`;
}
