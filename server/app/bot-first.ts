/**
 * Which new conversations go to a bot first: the site's oldest enabled bot, when its `when` holds now (business
 * hours from the site's widget settings; "no agent" from routing's live view). Read from the database on each
 * routing turn, so a bot changed on any node counts at once.
 */
import { botTakes } from '../domain/bot-first.ts';
import { isOpen } from '../domain/business-hours.ts';
import type { Clock } from '../domain/clock.ts';
import type { BotStore } from './bot-store.ts';
import type { AgentRecord, AgentStore, SiteStore } from './ports.ts';

export interface BotFirst {
  /** For each of `siteIds` whose bot takes new conversations now, the bot's agent row. */
  choose(siteIds: readonly string[], agentsOnline: (siteId: string) => boolean): Promise<Map<string, AgentRecord>>;
}

export const NO_BOTS: BotFirst = { choose: async () => new Map() };

export class StoredBotFirst implements BotFirst {
  constructor(
    private readonly stores: { bots: BotStore; sites: SiteStore; agents: AgentStore },
    private readonly clock: Clock,
  ) {}

  async choose(siteIds: readonly string[], agentsOnline: (siteId: string) => boolean): Promise<Map<string, AgentRecord>> {
    const chosen = new Map<string, AgentRecord>();
    const wanted = new Set(siteIds);
    if (wanted.size === 0) return chosen;
    const bots = (await this.stores.bots.list()).filter((b) => b.enabled && wanted.has(b.siteId));
    for (const bot of bots) {
      if (chosen.has(bot.siteId)) continue;
      const site = await this.stores.sites.findById(bot.siteId);
      if (!site) continue;
      const open = isOpen(site.widgetSettings.businessHours, this.clock.now());
      const agent = botTakes(bot.when, { open, agentsOnline: agentsOnline(bot.siteId) }) && (await this.stores.agents.findById(bot.agentId));
      if (agent && agent.active) chosen.set(bot.siteId, agent);
    }
    return chosen;
  }
}
