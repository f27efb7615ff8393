/** Email replies as the console sees them: a reply from an address other than the visitor's waits for an agent. */
export type InboundEmailStatus = 'appended' | 'held' | 'discarded';

export interface InboundEmailDTO {
  id: string;
  conversationId: string;
  /** The From address. */
  sender: string;
  status: InboundEmailStatus;
  reason: string | null;
  /** The reply's text, quotes and signature stripped. */
  body: string;
  createdAt: string;
}

export interface InboundEmailRef {
  inboundEmailId: string;
}
