/**
 * Alerts for agents away from the console. Reacts to domain events: a conversation waiting too long, a visitor
 * writing to an agent with no visible console tab, a transfer, an escalation, a message left while nobody was
 * online. Decides who is told and through which channel (their preferences, quiet hours, the site's
 * alertsWithoutMessageText), and hands each alert to the job outbox under a key derived from the fact and the
 * agent, so each is sent once. Checks that must wait ("still unclaimed after N seconds") are delayed jobs that
 * look again when they run: the conversation may have been claimed meanwhile.
 */
import { ALERT_CHANNELS, DEFAULT_ALERT_PREFERENCES, type AlertChannel, type AlertKind, type PushAlertPayload } from '../contract/alerts.ts';
import type { ConversationDTO, ConversationSummaryDTO } from '../contract/dto.ts';
import type { EmailPurpose } from '../contract/email.ts';
import type { Clock } from '../domain/clock.ts';
import { inQuietHours } from '../domain/quiet-hours.ts';
import { RecentIds } from '../domain/recent-ids.ts';
import type { EmailOutbox } from '../email/outbox.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import { alertEmail, type AlertContent } from './alert-email.ts';
import type { AgentRecord, SiteRecord, Store } from './ports.ts';
import type { PushSubscriptionCache } from './push-subscription-cache.ts';

/**
 * A delayed look at a conversation that entered the queue with the line `since` (its first message, or the
 * system line of a requeue): still unclaimed, the alert goes out. Each wait in the queue has its own checks.
 */
export interface AlertCheckJob {
  check: 'queueWait' | 'escalateAgents' | 'escalateAdmins';
  conversationId: string;
  since: number;
}

declare module '../jobs/types.ts' {
  interface JobMap {
    'alert.check': AlertCheckJob;
  }
}

export interface AlertDeps {
  store: Pick<Store, 'sites' | 'agents' | 'conversations' | 'visitors' | 'alerts'>;
  /** Whether an agent has push subscriptions, without a database round trip on every visitor message. */
  pushSubscriptions: Pick<PushSubscriptionCache, 'subscriptions'>;
  outbox: Pick<JobOutbox, 'enqueue'>;
  clock: Clock;
  /** Where alert emails are queued, like every email (nothing is queued while email is off). */
  emails: Pick<EmailOutbox, 'enabled' | 'queue'>;
  /** Whether any console tab of this agent is on screen now (the consoles report it). */
  consoleVisible(agentId: string): Promise<boolean>;
  /** Whether an agent who answers for the site is online now. */
  anyoneOnline(siteId: string): boolean;
  /** The console's address for links in emails, e.g. https://chat.example.com/console/; null: no link. */
  consoleUrl: string | null;
}

const TEXT_CHARS = 200;
/** Offline-message alerts this node remembers having raised (see visitorWrote). */
const OFFLINE_ALERTS_REMEMBERED = 10_000;

/** What happened: where, and the visitor's words when there are any. */
interface AlertFact {
  site: SiteRecord;
  conversation: ConversationDTO;
  text: string | null;
}

export class AgentAlerts {
  /**
   * Keys of the offline-message alerts raised here: a visitor's further lines in the same wait need no second
   * look at every agent (the job keys would drop that alert anyway, but only after it was worked out whole, for
   * each line). Bounded; a node that never saw or has forgotten a key works it out once more, to the same no-op.
   */
  private readonly offlineAlerted = new RecentIds(OFFLINE_ALERTS_REMEMBERED);

  constructor(private readonly deps: AlertDeps) {}

  /**
   * A conversation entered the queue: look again when the first of the site's alert delays has passed. Each
   * check schedules the next one, so a conversation claimed quickly (most are) costs one delayed job.
   */
  async queued(conversation: ConversationDTO): Promise<void> {
    const site = await this.deps.store.sites.findById(conversation.siteId);
    const [first] = site ? checksOf(site) : [];
    if (first) await this.schedule(first.check, conversation.id, conversation.lastSeq, first.delayMs);
  }

  /** A delayed check came due: alert only if the conversation still waits unclaimed (and the site still wants it), then schedule the next. */
  async check({ check, conversationId, since }: AlertCheckJob): Promise<void> {
    const conversation = await this.deps.store.conversations.summary(conversationId);
    if (!conversation || conversation.status !== 'queued' || conversation.assignee) return;
    const site = await this.deps.store.sites.findById(conversation.siteId);
    if (!site) return;
    const checks = checksOf(site);
    const index = checks.findIndex((c) => c.check === check);
    if (index >= 0) await this.alertWaiting(check, site, conversation, `${check}:${conversationId}:${since}`);
    // Turned off meanwhile: the elapsed wait says which check comes next.
    const done = index >= 0 ? checks[index]!.delayMs : this.deps.clock.now() - Date.parse(conversation.queuedAt);
    const next = index >= 0 ? checks[index + 1] : checks.find((c) => c.delayMs > done);
    if (next) await this.schedule(next.check, conversationId, since, Math.max(0, next.delayMs - done));
  }

  private async alertWaiting(check: AlertCheckJob['check'], site: SiteRecord, conversation: ConversationSummaryDTO, eventKey: string): Promise<void> {
    const agents = await this.deps.store.agents.list();
    const last = conversation.lastMessage;
    const waiting = { site, conversation, text: last?.authorKind === 'visitor' ? last.body : null };
    if (check === 'queueWait') {
      const available = agents.filter((a) => a.active && a.status !== 'offline' && answersFor(a, site.id));
      return this.alertAll(available, 'queueWait', eventKey, waiting);
    }
    const admins = check === 'escalateAdmins';
    const recipients = agents.filter((a) => a.active && (admins ? a.role === 'admin' : answersFor(a, site.id)));
    await this.alertAll(recipients, 'escalation', eventKey, waiting);
  }

  private async schedule(check: AlertCheckJob['check'], conversationId: string, since: number, delayMs: number): Promise<void> {
    await this.deps.outbox.enqueue('alert.check', `alert.check:${check}:${conversationId}:${since}`, { check, conversationId, since }, { delayMs });
  }

  /** A visitor wrote: their agent is told if no console tab of theirs is visible; nobody online means an offline message. */
  async visitorWrote(message: { id: string; body: string }, conversation: ConversationDTO): Promise<void> {
    const assigneeId = conversation.assignee?.id;
    if (assigneeId) {
      // Push only: an agent with no subscribed device needs nothing, and asking the consoles costs more than asking the cache.
      if ((await this.deps.pushSubscriptions.subscriptions(assigneeId)).length === 0) return;
      if (await this.deps.consoleVisible(assigneeId)) return;
      const agent = await this.deps.store.agents.findById(assigneeId);
      const site = await this.deps.store.sites.findById(conversation.siteId);
      if (agent?.active && site) await this.alert(agent, 'visitorMessage', `visitorMessage:${message.id}`, { site, conversation, text: message.body });
      return;
    }
    if (conversation.status !== 'queued' || this.deps.anyoneOnline(conversation.siteId)) return;
    // Once per waiting conversation: a visitor writing several lines leaves one alert, with the first line.
    const eventKey = `offlineMessage:${conversation.id}:${conversation.queuedAt}`;
    if (this.offlineAlerted.has(eventKey)) return;
    this.offlineAlerted.add(eventKey);
    try {
      const site = await this.deps.store.sites.findById(conversation.siteId);
      if (!site) return;
      const agents = (await this.deps.store.agents.list()).filter((a) => a.active && answersFor(a, site.id));
      await this.alertAll(agents, 'offlineMessage', eventKey, { site, conversation, text: message.body });
    } catch (error) {
      this.offlineAlerted.delete(eventKey); // not raised: the visitor's next line tries again
      throw error;
    }
  }

  async transferred(conversation: ConversationDTO, toAgentId: string): Promise<void> {
    const agent = await this.deps.store.agents.findById(toAgentId);
    const site = await this.deps.store.sites.findById(conversation.siteId);
    if (agent?.active && site) await this.alert(agent, 'transfer', `transfer:${conversation.id}:${conversation.lastSeq}`, { site, conversation, text: null });
  }

  private async alert(agent: AgentRecord, kind: AlertKind, eventKey: string, fact: AlertFact): Promise<void> {
    await this.alertAll([agent], kind, eventKey, fact);
  }

  /** One alert to each agent, on each channel the kind uses and the agent keeps on, unless in their quiet hours. */
  private async alertAll(agents: AgentRecord[], kind: AlertKind, eventKey: string, { site, conversation, text }: AlertFact): Promise<void> {
    if (agents.length === 0) return;
    const content = await this.content(site, conversation, text);
    for (const agent of agents) await this.deliver(agent, kind, eventKey, content);
  }

  private async deliver(agent: AgentRecord, kind: AlertKind, eventKey: string, content: AlertContent): Promise<void> {
    const { store, outbox, clock, emails } = this.deps;
    const preferences = (await store.alerts.preferences(agent.id)) ?? DEFAULT_ALERT_PREFERENCES;
    if (inQuietHours(preferences.quietHours, preferences.timeZone, clock.now())) return;
    const wanted = (channel: AlertChannel) => (ALERT_CHANNELS[kind] as readonly AlertChannel[]).includes(channel) && preferences.channels[kind][channel];
    const { site } = content;
    if (wanted('push')) {
      const payload = pushPayload(kind, content);
      // From the database, not the cache: a browser another node just handed to someone else must not get this agent's alert.
      for (const subscription of await store.alerts.subscriptions(agent.id)) {
        await outbox.enqueue('push.send', `push:${eventKey}:${agent.id}:${subscription.id}`, { subscriptionId: subscription.id, payload });
      }
    }
    const siteMails = kind !== 'offlineMessage' || site.widgetSettings.emailOfflineMessagesToAgents;
    if (wanted('email') && siteMails && emails.enabled) {
      // Listed with the conversation's emails in the console (agents only), so whoever opens it sees who was
      // alerted and whether the relay took it; a reply from the agent stays out of the conversation.
      await emails.queue({
        purpose: EMAIL_PURPOSES[kind],
        to: agent.email,
        idempotencyKey: `alert-email:${eventKey}:${agent.id}`,
        conversationId: content.conversation.id,
        siteId: site.id,
        repliesJoinConversation: false,
        ...alertEmail(kind, content, this.deps.consoleUrl),
      });
    }
  }

  /** Names and text, or, on a site that keeps them out of alerts, ids only. */
  private async content(site: SiteRecord, conversation: ConversationDTO, text: string | null): Promise<AlertContent> {
    if (site.widgetSettings.alertsWithoutMessageText) return { site, conversation, text: null, visitorName: null, withText: false };
    const visitor = await this.deps.store.visitors.findById(conversation.visitorId);
    const excerpt = text?.trim() ? clip(text.trim(), TEXT_CHARS) : null;
    return { site, conversation, text: excerpt, visitorName: visitor?.name ?? null, withText: true };
  }
}

function pushPayload(kind: AlertKind, content: AlertContent): PushAlertPayload {
  const { site, conversation } = content;
  const payload: PushAlertPayload = { kind, conversationId: conversation.id, siteId: site.id };
  if (!content.withText) return payload;
  return { ...payload, siteName: site.name, ...(content.visitorName ? { visitorName: content.visitorName } : {}), ...(content.text ? { text: content.text } : {}) };
}

/** The site's checks of a waiting conversation that are on, soonest first, with their delay from the queueing. */
function checksOf(site: SiteRecord): { check: AlertCheckJob['check']; delayMs: number }[] {
  const settings = site.widgetSettings;
  const checks = [
    { check: 'queueWait' as const, delayMs: settings.alertAfterSeconds * 1000 },
    { check: 'escalateAgents' as const, delayMs: settings.escalateToAgentsAfterMinutes * 60_000 },
    { check: 'escalateAdmins' as const, delayMs: settings.escalateToAdminsAfterMinutes * 60_000 },
  ];
  return checks.filter((c) => c.delayMs > 0).sort((a, b) => a.delayMs - b.delayMs);
}

const EMAIL_PURPOSES: Record<AlertKind, EmailPurpose> = {
  queueWait: 'agent-alert',
  visitorMessage: 'agent-alert',
  transfer: 'agent-alert',
  escalation: 'agent-escalation',
  offlineMessage: 'offline-message',
};

const answersFor = (agent: AgentRecord, siteId: string) => agent.siteIds === 'all' || agent.siteIds.includes(siteId);

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
