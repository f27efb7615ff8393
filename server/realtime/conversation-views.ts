/** What each audience of a conversation's change may know: its visitor, those who see the whole site, the queue's watchers. */
import type { ConversationDTO, ConversationSummaryDTO } from '../contract/dto.ts';
import type { ConversationAssignment } from '../contract/events.ts';
import type { HolderChange } from '../app/ports.ts';

/**
 * A conversation change on its way to agents; `holder`: only who holds it changed (HolderChange). `queue`: it
 * joined the queue, for routing to decide (`routing`: heard by its past holders only), or routing left it waiting
 * there (`waiting`: heard by all who see the queue).
 */
export interface PendingChange {
  conversation: ConversationSummaryDTO;
  holder?: HolderChange;
  queue?: 'routing' | 'waiting';
}

/** A conversation waiting in the queue, as no holder's change: what may wait for company (notifier.ts). Not one routing is yet to decide. */
export const joinsQueue = (change: PendingChange) => change.holder === undefined && change.queue !== 'routing' && change.conversation.status === 'queued';

/**
 * What the visitor may know of a conversation: the fields listed here and nothing else, so whatever agents'
 * summaries gain (labels, the last message, whatever comes next) never reaches a visitor by default.
 */
export function visitorView(conversation: ConversationDTO): ConversationDTO {
  const { id, siteId, visitorId, status, queuedAt, assignedAt, firstResponseAt, resolvedAt, lastSeq } = conversation;
  const { visitorReadSeq, agentReadSeq, rating, ratingComment } = conversation;
  const assignee = conversation.assignee && { id: conversation.assignee.id, name: conversation.assignee.name, avatarUrl: conversation.assignee.avatarUrl };
  return { id, siteId, visitorId, status, assignee, queuedAt, assignedAt, firstResponseAt, resolvedAt, lastSeq, visitorReadSeq, agentReadSeq, rating, ratingComment };
}

type View = ConversationSummaryDTO | ConversationAssignment;

/**
 * What a change tells those who see the whole site (`wholeSite`) and those who watch only its queue (`queue`): the
 * same object where both hear the same, nothing where one hears nothing. The whole site: every change whole but one
 * that handed it on (they know the rest), and a new conversation once routing has decided, whole: waiting, or
 * assigned on arrival (in a cluster the arrival is stored on one node and routed on the leader; heard from both, its
 * two snapshots could come in either order). The queue's watchers: a conversation whole while it waits, once routing
 * has left it waiting; then only that it left the queue, and to whom; nothing of one that never waited there.
 */
export function audienceViews({ conversation, holder, queue }: PendingChange): { wholeSite?: View; queue?: View } {
  if (queue === 'routing') return {};
  if (queue === 'waiting') return { wholeSite: conversation, queue: conversation };
  if (holder === 'assignedOnArrival') return { wholeSite: conversation };
  const forQueue = conversation.status === 'queued' ? conversation : assignmentView(conversation);
  const handedOn = holder === 'assigned' || holder === 'transferred';
  return { wholeSite: handedOn ? forQueue : conversation, queue: forQueue };
}

function assignmentView({ id, siteId, status, assignee, assignedAt, lastSeq }: ConversationSummaryDTO): ConversationAssignment {
  return { id, siteId, status, assignee, assignedAt, lastSeq };
}
