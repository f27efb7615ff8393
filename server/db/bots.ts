/** Bots: a Bot row over an Agent row of role bot, which routing and the send guard treat like any assignee. */
import type { BotPatch, BotRecord, BotStore, BotTurnRecord, NewBot } from '../app/bot-store.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { BotConfig, BotKind, BotWhen } from '../contract/bots.ts';
import type { Agent, Bot, PrismaClient } from './generated/sqlite/client.ts';

const withAgent = { agent: true } as const;

function toRecord(row: Bot & { agent: Agent }): BotRecord {
  return {
    id: row.id,
    siteId: row.siteId,
    agentId: row.agentId,
    name: row.agent.name,
    kind: row.kind as BotKind,
    when: row.takes as BotWhen,
    capacity: row.agent.capacity,
    timeoutMs: row.timeoutMs,
    enabled: row.enabled,
    config: row.config as unknown as BotConfig,
    apiKeyId: row.apiKeyId,
    createdAt: row.createdAt,
  };
}

export class PrismaBotStore implements BotStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(bot: NewBot): Promise<BotRecord> {
    const agentId = this.newId();
    const row = await this.prisma.bot.create({
      data: {
        id: this.newId(),
        siteId: bot.siteId,
        kind: bot.kind,
        takes: bot.when,
        timeoutMs: bot.timeoutMs,
        config: bot.config as object,
        enabled: bot.enabled,
        agent: {
          create: {
            id: agentId,
            // Never a sign-in address: the .invalid top-level domain cannot receive mail.
            email: `bot-${agentId}@bots.invalid`,
            passwordHash: '',
            name: bot.name,
            role: 'bot',
            capacity: bot.capacity,
            active: bot.enabled,
            memberships: { create: [{ siteId: bot.siteId }] },
          },
        },
      },
      include: withAgent,
    });
    return toRecord(row);
  }

  async findById(id: string): Promise<BotRecord | null> {
    const row = await this.prisma.bot.findUnique({ where: { id }, include: withAgent });
    return row ? toRecord(row) : null;
  }

  async findByAgentId(agentId: string): Promise<BotRecord | null> {
    const row = await this.prisma.bot.findUnique({ where: { agentId }, include: withAgent });
    return row ? toRecord(row) : null;
  }

  async list(siteId?: string): Promise<BotRecord[]> {
    const rows = await this.prisma.bot.findMany({ where: siteId ? { siteId } : {}, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: withAgent });
    return rows.map(toRecord);
  }

  async update(id: string, patch: BotPatch): Promise<BotRecord | null> {
    const row = await this.prisma.$transaction(async (tx) => {
      const bot = await tx.bot.findUnique({ where: { id } });
      if (!bot) return null;
      await tx.agent.update({
        where: { id: bot.agentId },
        data: { name: patch.name, capacity: patch.capacity, active: patch.enabled },
      });
      return tx.bot.update({
        where: { id },
        data: { takes: patch.when, timeoutMs: patch.timeoutMs, enabled: patch.enabled, config: patch.config as object | undefined, apiKeyId: patch.apiKeyId },
        include: withAgent,
      });
    });
    return row ? toRecord(row) : null;
  }

  async delete(id: string): Promise<BotRecord | null> {
    const row = await this.prisma.$transaction(async (tx) => {
      const bot = await tx.bot.findUnique({ where: { id }, include: withAgent });
      if (!bot) return null;
      await tx.bot.delete({ where: { id } });
      await tx.agent.update({ where: { id: bot.agentId }, data: { active: false } });
      return bot;
    });
    return row ? toRecord(row) : null;
  }

  async recordTurn(turn: BotTurnRecord): Promise<void> {
    await this.prisma.botTurn.upsert({ where: { messageId: turn.messageId }, create: { id: this.newId(), ...turn }, update: turn });
  }

  async hasTurn(messageId: string): Promise<boolean> {
    return (await this.prisma.botTurn.count({ where: { messageId } })) > 0;
  }
}
