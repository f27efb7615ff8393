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

/** A conversation waiting in the queue, as no holder's change: what may wait for company (notifier.ts). */
export const joinsQueue = (change: PendingChange) => change.holder === undefined && change.conversation.status === 'queued';

/** Only who holds it changed, and the change took it from the queue (or to another agent): all may hear the same. */
export const handedOn = (change: PendingChange) => (change.holder === 'assigned' || change.holder === 'transferred') && change.conversation.status !== 'queued';

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

/**
 * Those who see the whole site: every change whole but one that handed it on (they know the rest), and a new
 * conversation once routing has decided, whole: waiting, or assigned on arrival. In a cluster the arrival is stored
 * on one node and routed on the leader; heard from both, its two snapshots could come in either order.
 */
export function wholeSiteView({ conversation, holder, queue }: PendingChange): (ConversationSummaryDTO | ConversationAssignment)[] {
  if (queue === 'routing') return [];
  return holder === 'assigned' || holder === 'transferred' ? [assignmentView(conversation)] : [conversation];
}

/**
 * What the site's queue watchers may know: the whole while it waits, once routing has left it waiting; then only that
 * it left the queue, and to whom; nothing of a conversation that never waited there.
 */
export function queueWatchersView({ conversation, holder, queue }: PendingChange): (ConversationSummaryDTO | ConversationAssignment)[] {
  if (queue === 'routing' || holder === 'assignedOnArrival') return [];
  return [conversation.status === 'queued' ? conversation : assignmentView(conversation)];
}

export function assignmentView({ id, siteId, status, assignee, assignedAt, lastSeq }: ConversationSummaryDTO): ConversationAssignment {
  return { id, siteId, status, assignee, assignedAt, lastSeq };
}
