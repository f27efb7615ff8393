/** Attached files: checked against the site's limits first, then sent to POST /api/attachments. */
import type { AttachmentDTO } from '../server/contract/dto.ts';
import type { AttachmentLimits, HttpErrorBody, UploadResponse } from '../server/contract/http.ts';
import { AckError } from './request.ts';

/** Why a file can't be sent, before uploading it; null when it may be. The server checks again, by content. */
export function refusal(file: File, limits: AttachmentLimits): 'fileTooLarge' | 'fileType' | null {
  if (file.size > limits.maxBytes) return 'fileTooLarge';
  // An unknown type (empty) is left to the server, which decides by the file's bytes.
  if (file.type && !limits.types.includes(file.type)) return 'fileType';
  return null;
}

/** Uploads with the visitor's or agent's token; an AckError with the server's code when it is refused. */
export async function uploadAttachment(token: string | undefined, file: File, conversationId: string | null): Promise<AttachmentDTO> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token ?? ''}`,
    'Content-Type': file.type || 'application/octet-stream',
    'X-File-Name': encodeURIComponent(file.name || 'file'),
  };
  if (conversationId) headers['X-Conversation-Id'] = conversationId;
  const response = await fetch('/api/attachments', { method: 'POST', headers, body: file });
  if (response.ok) return (await response.json()) as UploadResponse;
  const failure = (await response.json().catch(() => null)) as HttpErrorBody | null;
  throw new AckError(failure?.error ?? { code: 'INTERNAL', message: `Upload failed (${response.status})` });
}
