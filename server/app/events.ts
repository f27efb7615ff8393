/**
 * Domain events: one typed stream of the facts the server has committed. Each is emitted exactly once, by the
 * use case that committed it, after the commit, on the node that committed it (in a cluster, routing decisions
 * on the routing leader). Subscribers react: the socket notifier pushes to clients (server/realtime/events.ts);
 * email, push, webhooks and bots enqueue work in the job outbox (server/jobs) under an idempotency key derived
 * from the fact. A subscriber never throws into the use case that emitted.
 */
import type { EmailDTO } from '../contract/email.ts';
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO, VisitorChange, VisitorDTO } from '../contract/dto.ts';

/** Who caused a fact: an agent, the visitor, or routing itself (auto-assignment, grace expiry). */
export type EventActor = { kind: 'agent'; agentId: string } | { kind: 'visitor'; visitorId: string } | { kind: 'system' };

export const SYSTEM_ACTOR: EventActor = { kind: 'system' };
export const agentActor = (agentId: string): EventActor => ({ kind: 'agent', agentId });
export const visitorActor = (visitorId: string): EventActor => ({ kind: 'visitor', visitorId });

/** A conversation's change: the conversation as agents' lists show it after the change, and who made it. */
interface ConversationEvent {
  conversation: ConversationSummaryDTO;
  actor: EventActor;
}

export interface EventMap {
  /** A message stored for the first time (never for a retry answered from storage), system lines included. */
  'message.created': {
    message: MessageDTO;
    conversation: ConversationDTO;
    actor: EventActor;
    /** The connection that sent it, which has it in the send's answer already. */
    sentFrom?: string;
    /** It started the conversation: `conversation.queued` follows, carrying it as the last message. */
    opened?: true;
  };
  'conversation.queued': ConversationEvent;
  /** `onArrival`: its first routing turn assigned it, so it never waited in the queue. */
  'conversation.assigned': ConversationEvent & { agentId: string; onArrival: boolean };
  'conversation.transferred': ConversationEvent & { fromAgentId: string; toAgentId: string };
  /** Back to the queue: unassigned by an agent, or requeued by routing because its agent left. */
  'conversation.unassigned': ConversationEvent & { fromAgentId: string };
  'conversation.resolved': ConversationEvent;
  'conversation.reopened': ConversationEvent & { agentId: string };
  'conversation.rated': ConversationEvent & { rating: number; comment: string | null };
  /** The visitor called identify: `verified` when the site's hash proved the user id. */
  'visitor.identified': { visitor: VisitorDTO; change: VisitorChange; previousVisitorId: string; verified: boolean };
  /** The visitor's profile, attributes or page context changed; `change` holds only what changed. */
  'visitor.updated': { visitor: VisitorDTO; change: VisitorChange };
  /** An agent set their status (online, away…). `siteIds`: the sites the agent answers for. */
  'agent.status': { agent: AgentDTO; siteIds: string[] | 'all'; actor: EventActor };
  /** An email about a conversation was queued, sent, deferred or failed (server/email). */
  'email.changed': { email: EmailDTO };
}

export type EventName = keyof EventMap;
export type ConversationEventName = Extract<EventName, `conversation.${string}`>;
/** A subscriber that returns a promise (enqueueing a job) has its rejection logged like a throw. */
export type EventHandler<E extends EventName> = (payload: EventMap[E]) => void | Promise<void>;

export interface EventLog {
  error(obj: object, msg?: string): void;
}

export class DomainEvents {
  private readonly handlers: { [E in EventName]?: EventHandler<E>[] } = {};

  constructor(private readonly log: EventLog) {}

  on<E extends EventName>(event: E, handler: EventHandler<E>): void {
    (this.handlers[event] ??= [] as never).push(handler as never);
  }

  /** Calls every subscriber in the order they subscribed; one that fails is logged and the rest still run. */
  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    const failed = (err: unknown) => this.log.error({ err, event }, 'event subscriber failed');
    for (const handler of (this.handlers[event] ?? []) as EventHandler<E>[]) {
      try {
        handler(payload)?.catch(failed);
      } catch (err) {
        failed(err);
      }
    }
  }
}
