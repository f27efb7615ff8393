/**
 * Tells visitors waiting in a queue where they stand: their position and the estimated wait, only when it
 * changed. Every waiting visitor's position changes whenever the queue moves, so telling them per decision is
 * O(n²) over a burst: the sites are collected and told once the routing work queued so far has run.
 */
import type { ConversationState, QueuePosition } from '../domain/routing.ts';
import type { Notifier } from './ports.ts';
import type { Timers } from './timers.ts';

/** What the positions are read from: the routing engine as it is now (it is replaced on every rebuild). */
export interface QueueView {
  queueSnapshot(siteId: string): QueuePosition[];
  conversation(id: string): ConversationState | undefined;
}

export class QueuePositions {
  /** Open conversation id -> visitor id, to address the updates. */
  private readonly visitorOf = new Map<string, string>();
  /** Last position sent per conversation, so visitors hear only of changes. */
  private readonly lastSent = new Map<string, string>();
  /** Sites whose waiting visitors are told their positions at the next publish. */
  private readonly sitesToPublish = new Set<string>();

  constructor(
    private readonly notifier: Pick<Notifier, 'queuePosition'>,
    private readonly timers: Timers,
    private readonly view: () => QueueView,
  ) {}

  /** Forgets everything but these open conversations (a rebuild from the database). */
  reset(open: readonly { id: string; visitorId: string }[]): void {
    this.visitorOf.clear();
    for (const c of open) this.visitorOf.set(c.id, c.visitorId);
  }

  track(conversationId: string, visitorId: string): void {
    this.visitorOf.set(conversationId, visitorId);
  }

  /** Left the queue for an agent: its next time in the queue is told afresh. */
  assigned(conversationId: string): void {
    this.lastSent.delete(conversationId);
  }

  /** Resolved: no longer routed. */
  forget(conversationId: string): void {
    this.visitorOf.delete(conversationId);
    this.lastSent.delete(conversationId);
  }

  /** Tells a (re)connecting visitor where their waiting conversations stand. */
  sendTo(visitorId: string): void {
    const view = this.view();
    for (const [conversationId, owner] of this.visitorOf) {
      const conversation = owner === visitorId ? view.conversation(conversationId) : undefined;
      if (conversation?.status !== 'queued') continue;
      const position = view.queueSnapshot(conversation.siteId).find((p) => p.conversationId === conversationId);
      if (position) this.notifier.queuePosition(visitorId, position);
    }
  }

  siteChanged(siteId: string): void {
    if (this.sitesToPublish.size === 0) this.timers.setTimeout(() => this.publish(), 0);
    this.sitesToPublish.add(siteId);
  }

  private publish(): void {
    const sites = [...this.sitesToPublish];
    this.sitesToPublish.clear();
    const view = this.view();
    for (const siteId of sites) {
      for (const position of view.queueSnapshot(siteId)) {
        const visitorId = this.visitorOf.get(position.conversationId);
        const key = JSON.stringify(position);
        if (!visitorId || this.lastSent.get(position.conversationId) === key) continue;
        this.lastSent.set(position.conversationId, key);
        this.notifier.queuePosition(visitorId, position);
      }
    }
  }
}
