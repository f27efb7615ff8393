/**
 * Which new conversations go to a bot first: the site's oldest enabled bot, when its `when` holds now (business
 * hours from the site's widget settings; "no agent" from routing's live view). The bots are read once and kept
 * until routing forgets them: every change of a bot refreshes its agent in routing (at once in the server, through
 * a `bot.refresh` job from the CLI), which runs on the routing leader, and a node that becomes leader reads afresh.
 * Read on each routing turn instead, the list was one query more on the leader's one-at-a-time path: 100–290 ms
 * of each turn's wait in a burst on three nodes.
 */
import { botTakes } from '../domain/bot-first.ts';
import { isOpen } from '../domain/business-hours.ts';
import type { Clock } from '../domain/clock.ts';
import type { BotRecord, BotStore } from './bot-store.ts';
import type { AgentRecord, AgentStore, SiteStore } from './ports.ts';

export interface BotFirst {
  /** For each of `siteIds` whose bot takes new conversations now, the bot's agent row. */
  choose(siteIds: readonly string[], agentsOnline: (siteId: string) => boolean): Promise<Map<string, AgentRecord>>;
  /** A bot may have changed: the next choice reads them again. */
  forget(): void;
}

export const NO_BOTS: BotFirst = { choose: async () => new Map(), forget: () => {} };

export class StoredBotFirst implements BotFirst {
  private enabled: Promise<BotRecord[]> | undefined;

  constructor(
    private readonly stores: { bots: BotStore; sites: SiteStore; agents: AgentStore },
    private readonly clock: Clock,
  ) {}

  async choose(siteIds: readonly string[], agentsOnline: (siteId: string) => boolean): Promise<Map<string, AgentRecord>> {
    const chosen = new Map<string, AgentRecord>();
    const wanted = new Set(siteIds);
    if (wanted.size === 0) return chosen;
    const bots = (await this.enabledBots()).filter((b) => wanted.has(b.siteId));
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

  forget(): void {
    this.enabled = undefined;
  }

  private enabledBots(): Promise<BotRecord[]> {
    if (this.enabled) return this.enabled;
    const reading = this.stores.bots.list().then((bots) => bots.filter((b) => b.enabled));
    // A failed read is not kept: the next choice tries again.
    reading.catch(() => this.enabled === reading && this.forget());
    return (this.enabled = reading);
  }
}
