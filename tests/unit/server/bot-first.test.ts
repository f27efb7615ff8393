/** Which new conversations go to a bot first, with the bots read once and again only after routing forgets them. */
import { describe, expect, it } from 'vitest';
import { StoredBotFirst } from '../../../server/app/bot-first.ts';
import type { BotRecord } from '../../../server/app/bot-store.ts';
import type { AgentRecord, SiteRecord } from '../../../server/app/ports.ts';
import { DEFAULT_WIDGET_SETTINGS } from '../../../server/contract/defaults.ts';
import { ManualClock } from '../../../server/domain/clock.ts';

const bot = (id: string, siteId: string, enabled = true): BotRecord =>
  ({ id, siteId, agentId: `agent-${id}`, name: id, kind: 'rule', when: 'always', capacity: 20, timeoutMs: 15_000, enabled, config: { rules: [] }, apiKeyId: null, createdAt: new Date(0) }) as unknown as BotRecord;

function botFirst(initial: BotRecord[]) {
  const stored = { bots: initial, reads: 0, failNext: false };
  const stores = {
    bots: {
      list: async () => {
        stored.reads++;
        if (stored.failNext) {
          stored.failNext = false;
          throw new Error('database away');
        }
        return stored.bots;
      },
    },
    sites: { findById: async (id: string) => ({ id, widgetSettings: DEFAULT_WIDGET_SETTINGS }) as unknown as SiteRecord },
    agents: { findById: async (id: string) => ({ id, active: true }) as unknown as AgentRecord },
  };
  const first = new StoredBotFirst(stores as unknown as ConstructorParameters<typeof StoredBotFirst>[0], new ManualClock(0));
  const choose = async (...siteIds: string[]) => [...(await first.choose(siteIds, () => true)).entries()].map(([siteId, agent]) => `${siteId}:${agent.id}`);
  return { first, stored, choose };
}

describe('bots first', () => {
  it('hands each site to its oldest enabled bot, reading the bots once for every choice until told to forget them', async () => {
    const { first, stored, choose } = botFirst([bot('off', 's1', false), bot('b1', 's1'), bot('b2', 's1'), bot('b3', 's2')]);
    expect(await choose('s1', 's3')).toEqual(['s1:agent-b1']);
    expect(await choose('s2')).toEqual(['s2:agent-b3']);
    stored.bots = [bot('b2', 's1')];
    expect(await choose('s1', 's2')).toEqual(['s1:agent-b1', 's2:agent-b3']);
    expect(stored.reads).toBe(1);
    first.forget();
    expect(await choose('s1', 's2')).toEqual(['s1:agent-b2']);
    expect(stored.reads).toBe(2);
  });

  it('keeps no failed read: the next choice reads again', async () => {
    const { stored, choose } = botFirst([bot('b1', 's1')]);
    stored.failNext = true;
    await expect(choose('s1')).rejects.toThrow('database away');
    expect(await choose('s1')).toEqual(['s1:agent-b1']);
    expect(stored.reads).toBe(2);
  });
});
