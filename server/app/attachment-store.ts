/** How uploaded files are kept (server/db/attachments.ts): a port of its own, beside ports.ts, which re-exports it. */
import type { UploadUsage } from '../domain/upload-quota.ts';

export interface NewAttachment {
  siteId: string;
  conversationId: string | null;
  uploaderKind: 'visitor' | 'agent';
  uploaderId: string;
  /** Where a visitor's upload came from, for quotas per address; null for agents. */
  uploaderAddress: string | null;
  createdAt: Date;
  fileName: string;
  contentType: string;
  data: Uint8Array;
}

export interface StoredAttachment {
  id: string;
  siteId: string;
  conversationId: string | null;
  /** The message that sent it; null while uploaded and not yet sent. */
  messageId: string | null;
  fileName: string;
  contentType: string;
  size: number;
  data: Uint8Array;
}

export interface SentAttachment extends Omit<StoredAttachment, 'data' | 'messageId'> {
  messageId: string;
  uploaderKind: 'visitor' | 'agent';
  uploaderId: string;
  createdAt: Date;
}

export interface AttachmentStore {
  create(attachment: NewAttachment): Promise<StoredAttachment>;
  findById(id: string): Promise<StoredAttachment | null>;
  /** The files sent in a conversation's messages, oldest first, without their bytes. */
  listSent(conversationId: string): Promise<SentAttachment[]>;
  /** Visitors' bytes: from `address` since `addressSince`, to `siteId` since `siteSince`, and stored unsent anywhere. */
  visitorUsage(query: { address: string; addressSince: Date; siteId: string; siteSince: Date }): Promise<UploadUsage>;
  /** Deletes files never sent in a message and stored before `cutoff`; how many went. */
  deleteUnsentBefore(cutoff: Date): Promise<number>;
}
