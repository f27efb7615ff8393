/** What inbound email keeps in the database (server/db/inbound-emails.ts). */
import type { InboundEmailStatus } from '../contract/inbound-email.ts';

export interface InboundEmailRecord {
  id: string;
  conversationId: string;
  messageId: string;
  sender: string;
  status: InboundEmailStatus;
  reason: string | null;
  body: string;
  resultMessageId: string | null;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
}

export type NewInboundEmail = Pick<InboundEmailRecord, 'conversationId' | 'messageId' | 'sender' | 'status' | 'reason' | 'body' | 'createdAt'> & {
  /** Kept only while held. */
  raw: Uint8Array | null;
};

export interface InboundEmailStore {
  /**
   * Records the reply unless its conversation has its Message-ID already (a unique constraint, so two deliveries
   * at once record it once): answers the stored row and whether this call created it.
   */
  record(email: NewInboundEmail): Promise<{ record: InboundEmailRecord; created: boolean }>;
  findById(id: string): Promise<InboundEmailRecord | null>;
  raw(id: string): Promise<Buffer | null>;
  held(conversationId: string): Promise<InboundEmailRecord[]>;
  /** Held → appended or discarded, once: false when it was decided already. Drops the raw message. */
  decide(id: string, status: Exclude<InboundEmailStatus, 'held'>, by: string, at: Date): Promise<boolean>;
  /** The visitor message it became. */
  setResult(id: string, messageId: string): Promise<void>;
}
