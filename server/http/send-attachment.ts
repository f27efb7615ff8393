/**
 * A stored file as a download, for the console's signed links and API v1 alike: always an attachment, under a
 * sandbox CSP (and app.ts's nosniff), so even a crafted file cannot run in our origin. The database hands the
 * bytes over whole (at most ATTACHMENT_LIMITS.maxBytes), so they go out in one write.
 */
import { create as contentDisposition } from 'content-disposition';
import type { Response } from 'express';
import type { StoredAttachment } from '../app/ports.ts';

export function sendAttachment(res: Response, file: StoredAttachment): void {
  res.setHeader('Content-Type', file.contentType);
  // An ASCII `filename=` for old clients, beside `filename*=UTF-8''…` when the name needs more than ASCII.
  res.setHeader('Content-Disposition', contentDisposition(file.fileName));
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.end(Buffer.from(file.data));
}
