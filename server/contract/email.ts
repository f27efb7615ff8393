/** Outgoing email as the console shows it under a conversation. */

export type EmailState = 'queued' | 'sent' | 'failed';

/** Why an email is sent: continuity (agent replies the visitor missed), a transcript, an alert to agents… */
export type EmailPurpose = 'continuity' | 'transcript' | 'agent-alert' | 'agent-escalation' | 'offline-message';

export interface EmailDTO {
  id: string;
  purpose: EmailPurpose;
  conversationId: string | null;
  siteId: string | null;
  recipient: string;
  subject: string;
  state: EmailState;
  attempts: number;
  /** Why the last attempt failed: while queued it will be retried, once failed it will not. */
  reason: string | null;
  relayResponse: string | null;
  createdAt: string;
  sentAt: string | null;
}
