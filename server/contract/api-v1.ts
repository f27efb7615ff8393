/** Wire types of the REST API v1 (/api/v1) that are not the sockets' own DTOs. */
import type { AttachmentDTO, ConversationSummaryDTO } from './dto.ts';

/** A page of conversations by last change; `nextCursor` fetches the next one (null: this is the last). */
export interface ConversationListPage {
  items: ConversationSummaryDTO[];
  nextCursor: string | null;
}

/** A file sent in a conversation: GET /api/v1/conversations/{id}/attachments. */
export interface ConversationAttachment extends AttachmentDTO {
  messageId: string;
  uploaderKind: 'visitor' | 'agent';
  uploaderId: string;
  createdAt: string;
}
