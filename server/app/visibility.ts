/**
 * What an agent may see of the sites they serve. Admins see everything; an agent sees all of a site's
 * conversations where the site lets agents see all, and elsewhere only its queue and the conversations they
 * hold or held. Reads, lists and live events all go by this.
 */
import type { ConversationDTO } from '../contract/dto.ts';
import { servesSite } from './access.ts';
import type { AgentRecord, Store } from './ports.ts';

export interface AgentScope {
  /** Sites whose every conversation the agent sees. */
  whole: string[] | 'all';
  /** Served sites where the agent sees only the queue and what they hold or held. */
  held: string[];
}

/** Which live events an agent's consoles receive. */
export interface LiveScope {
  /** Sites whose every event reaches the agent. */
  whole: string[];
  /** Sites whose queue the agent follows. */
  queues: string[];
  /** Open conversations the agent holds or held. */
  following: string[];
}

export class Visibility {
  constructor(private readonly store: Store) {}

  async scope(agent: AgentRecord): Promise<AgentScope> {
    if (agent.role === 'admin') return { whole: agent.siteIds, held: [] };
    const served = await this.served(agent);
    return {
      whole: served.filter((site) => site.widgetSettings.agentsSeeAll).map((site) => site.id),
      held: served.filter((site) => !site.widgetSettings.agentsSeeAll).map((site) => site.id),
    };
  }

  async canSee(agent: AgentRecord, conversation: ConversationDTO): Promise<boolean> {
    if (!servesSite(agent, conversation.siteId)) return false;
    if (agent.role === 'admin' || conversation.status === 'queued' || conversation.assignee?.id === agent.id) return true;
    const site = await this.store.sites.findById(conversation.siteId);
    return site?.widgetSettings.agentsSeeAll === true || (await this.store.conversations.heldBy(conversation.id, agent.id));
  }

  async live(agent: AgentRecord): Promise<LiveScope> {
    const sites = await this.served(agent);
    const whole = agent.role === 'admin' ? sites : sites.filter((site) => site.widgetSettings.agentsSeeAll);
    const following = whole.length === sites.length ? [] : await this.store.conversations.openHeldBy(agent.id);
    return { whole: whole.map((site) => site.id), queues: sites.map((site) => site.id), following };
  }

  private async served(agent: AgentRecord) {
    return (await this.store.sites.list()).filter((site) => servesSite(agent, site.id));
  }
}
