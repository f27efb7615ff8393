/**
 * The routing engine's view of one agent: who they serve, how busy they are, the presence rules that decide
 * when they take conversations, and the order in which candidates are preferred. Pure.
 */
import type { AgentStatus } from '../contract/dto.ts';
import type { AgentInput, AgentState } from './routing-types.ts';

export interface RoutedAgent {
  id: string;
  siteIds: readonly string[] | 'all';
  sites: ReadonlySet<string> | 'all';
  capacity: number;
  status: AgentStatus;
  active: boolean;
  bot: boolean;
  connected: boolean;
  convs: Set<string>;
  lastAssignedAt: number | null;
  /** When they last became eligible: the "earlier to come online" tie-break. */
  eligibleSince: number | null;
  deadline: number | null;
}

export type PresencePatch = { connected?: boolean; status?: AgentStatus; active?: boolean };

/** Takes conversations now: active, connected and online. Also read by nodes that only see agents' live state. */
export const eligible = (a: Pick<RoutedAgent, 'active' | 'connected' | 'status'>): boolean => a.active && a.connected && a.status === 'online';
/** Takes conversations from the queue now: a person who is eligible. Bots only get what enqueue routes to them. */
export const takesQueue = (a: RoutedAgent): boolean => !a.bot && eligible(a);
export const serves = (a: RoutedAgent, siteId: string): boolean => a.sites === 'all' || a.sites.has(siteId);
export const hasRoom = (a: RoutedAgent): boolean => a.convs.size < a.capacity;

const cmpNullFirst = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
export const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Least busy first; then idle longest (oldest last assignment, never = oldest); then online longest; then id. */
export function compareCandidates(a: RoutedAgent, b: RoutedAgent): number {
  return (
    a.convs.size - b.convs.size ||
    cmpNullFirst(a.lastAssignedAt, b.lastAssignedAt) ||
    cmpNullFirst(a.eligibleSince, b.eligibleSince) ||
    cmpStr(a.id, b.id)
  );
}

/** A new agent starts offline and disconnected, holding nothing. */
export function newAgent(id: string): RoutedAgent {
  return {
    id,
    siteIds: [],
    sites: new Set(),
    capacity: 0,
    status: 'offline',
    active: true,
    bot: false,
    connected: false,
    convs: new Set(),
    lastAssignedAt: null,
    eligibleSince: null,
    deadline: null,
  };
}

/** Conversations of sites no longer served, or above a lowered capacity, stay: no chat is yanked mid-way. */
export function setServing(agent: RoutedAgent, input: AgentInput): void {
  agent.siteIds = input.siteIds === 'all' ? 'all' : [...input.siteIds];
  agent.sites = input.siteIds === 'all' ? 'all' : new Set(input.siteIds);
  agent.capacity = Math.max(0, Math.floor(input.capacity));
  agent.bot = input.bot ?? false;
}

/**
 * Presence rules. Becoming eligible cancels any grace. Losing the connection or choosing a non-online status
 * (away or offline alike: a mistaken click should not drop chats) starts a grace period if the agent holds
 * conversations. Answers true when the agent was deactivated: their conversations go back to the queue at once.
 */
export function applyPresence(agent: RoutedAgent, patch: PresencePatch, now: number, graceMs: number): boolean {
  const wasEligible = eligible(agent);
  const lostConnection = agent.connected && patch.connected === false;
  const wentAway = patch.status !== undefined && patch.status !== agent.status && patch.status !== 'online';
  if (patch.connected !== undefined) agent.connected = patch.connected;
  if (patch.status !== undefined) agent.status = patch.status;
  if (patch.active !== undefined) agent.active = patch.active;
  if (!agent.active) {
    agent.deadline = null;
    agent.eligibleSince = null;
    return true;
  }
  // A bot has no presence: it holds its conversations until it hands them off or is disabled.
  if (agent.bot) {
    agent.deadline = null;
    agent.eligibleSince = null;
    return false;
  }
  if (eligible(agent)) {
    agent.deadline = null;
    if (!wasEligible) agent.eligibleSince = now;
  } else {
    agent.eligibleSince = null;
    if ((lostConnection || wentAway) && agent.deadline === null && agent.convs.size > 0) agent.deadline = now + graceMs;
  }
  return false;
}

export function toAgentState(a: RoutedAgent): AgentState {
  return {
    id: a.id,
    siteIds: a.siteIds,
    capacity: a.capacity,
    status: a.status,
    active: a.active,
    bot: a.bot,
    connected: a.connected,
    load: a.convs.size,
    eligible: takesQueue(a),
    lastAssignedAt: a.lastAssignedAt,
    graceDeadline: a.deadline,
  };
}
