/** The routing engine's inputs, outputs and read models: what the app and the tests exchange with it. */
import type { AgentStatus, QueuePositionDTO } from '../contract/dto.ts';
import type { ErrorCode } from '../contract/errors.ts';
import type { Clock } from './clock.ts';

export interface AgentInput {
  id: string;
  /** 'all' for admins, who answer for every site. */
  siteIds: readonly string[] | 'all';
  /** Maximum concurrent active conversations (integer >= 0). */
  capacity: number;
  status: AgentStatus;
  active: boolean;
  /** A bot: takes only the new conversations routed to it (enqueue's botId), never from the queue; never absent. */
  bot?: boolean;
}

/** A conversation as the database has it: queued (assigneeId null) or active. */
export interface ConversationInput {
  id: string;
  siteId: string;
  queuedAt: number;
  assigneeId: string | null;
  assignedAt: number | null;
}

/** A past queued-to-assigned wait, to seed the estimate after a restart. */
export interface RecentWait {
  siteId: string;
  waitedMs: number;
  /** Queue position when it entered the queue; pass 1 when unknown (pessimistic). */
  position: number;
}

export interface LoadState {
  agents: readonly AgentInput[];
  conversations: readonly ConversationInput[];
  recentWaits?: readonly RecentWait[];
}

export interface Assignment {
  conversationId: string;
  agentId: string;
  siteId: string;
  /** Time spent in the queue this time round (since it last entered the queue). */
  waitedMs: number;
}

/** The assignee left (grace expired, deactivated, removed, unknown at load): back to the queue. */
export interface Requeue {
  conversationId: string;
  fromAgentId: string;
  siteId: string;
}

export interface Decision {
  /** Auto-assignments made by this call, in order. */
  assigned: Assignment[];
  requeued: Requeue[];
  /** Sites (sorted) whose queue order, positions, ETA or agentsOnline may have changed. */
  queueChanged: string[];
}

export type RoutingErrorCode = Extract<
  ErrorCode,
  | 'NOT_FOUND' // unknown conversation or agent
  | 'NOT_QUEUED' // claim of a conversation resolved since
  | 'ALREADY_ASSIGNED' // someone else holds it (lost a claim race)
  | 'AGENT_AT_CAPACITY'
  | 'AGENT_UNAVAILABLE' // transfer target not online+connected+active; claimer not connected
  | 'FORBIDDEN' // agent does not serve the site, or is deactivated
  | 'CONVERSATION_RESOLVED' // transfer/unassign/resolve of a resolved conversation
  | 'CONFLICT' // unassign of a conversation nobody holds; handoff by a bot that does not hold it
>;

/** fromAgentId: the assignee before the call. Equal to the target agent => nothing changed (idempotent retry). */
export type RoutingResult =
  | { ok: true; fromAgentId: string | null; decision: Decision }
  | { ok: false; code: RoutingErrorCode };

export type QueuePosition = QueuePositionDTO;

/** One site's waiting line as metrics see it: how many wait, and since when the first has waited. */
export interface WaitingLine {
  siteId: string;
  length: number;
  oldestQueuedAt: number;
}

export interface ConversationState {
  id: string;
  siteId: string;
  status: 'queued' | 'active';
  queuedAt: number;
  assigneeId: string | null;
  assignedAt: number | null;
}

export interface AgentState {
  id: string;
  siteIds: readonly string[] | 'all';
  capacity: number;
  status: AgentStatus;
  active: boolean;
  bot: boolean;
  connected: boolean;
  load: number;
  /** Receives auto-assignments from the queue: a person, status online, connected and active. */
  eligible: boolean;
  lastAssignedAt: number | null;
  /** When their held conversations go back to the queue unless they return first. */
  graceDeadline: number | null;
}

export interface RoutingOptions {
  clock: Clock;
  /** How long a disconnected or away agent keeps their conversations. Default 60 s. */
  graceMs?: number;
  /** Samples kept per site for the wait estimate. Default 20. */
  etaWindow?: number;
  /** Resolved ids remembered to answer NOT_QUEUED rather than NOT_FOUND. Default 10,000. */
  resolvedMemory?: number;
}
