/** Wire types of the REST API v1 (/api/v1) that are not the sockets' own DTOs. */
import type { ConversationSummaryDTO } from './dto.ts';

/** A page of conversations by last change; `nextCursor` fetches the next one (null: this is the last). */
export interface ConversationListPage {
  items: ConversationSummaryDTO[];
  nextCursor: string | null;
}
