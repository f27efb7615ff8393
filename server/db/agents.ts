import type { AgentAdminRecord, AgentPatch, AgentRecord, AgentStore } from '../app/ports.ts';
import type { AgentRole, AgentStatus } from '../contract/dto.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { AccountFailures } from '../domain/sign-in-slowdown.ts';
import { Coalescer } from '../app/coalescer.ts';
import type { Agent, PrismaClient } from './generated/sqlite/client.ts';

const withSites = { memberships: { select: { siteId: true } } } as const;

function toRecord(row: Agent & { memberships: { siteId: string }[] }): AgentRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    capacity: row.capacity,
    status: row.status,
    active: row.active,
    avatarUrl: row.avatarUrl,
    passwordHash: row.passwordHash,
    siteIds: row.role === 'admin' ? 'all' : row.memberships.map((m) => m.siteId),
  };
}

export class PrismaAgentStore implements AgentStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(agent: {
    email: string;
    passwordHash: string;
    name: string;
    role: AgentRole;
    capacity: number;
    siteIds: string[];
  }) {
    const row = await this.prisma.agent.create({
      data: {
        id: this.newId(),
        email: agent.email,
        passwordHash: agent.passwordHash,
        name: agent.name,
        role: agent.role,
        capacity: agent.capacity,
        memberships: { create: agent.siteIds.map((siteId) => ({ siteId })) },
      },
      include: withSites,
    });
    return toRecord(row);
  }

  async findByEmail(email: string) {
    const row = await this.prisma.agent.findUnique({ where: { email }, include: withSites });
    return row ? toRecord(row) : null;
  }

  async findById(id: string) {
    const row = await this.prisma.agent.findUnique({ where: { id }, include: withSites });
    return row ? toRecord(row) : null;
  }

  async list() {
    const rows = await this.prisma.agent.findMany({ orderBy: { createdAt: 'asc' }, include: withSites });
    return rows.map(toRecord);
  }

  /** Agents changing status together (a shift coming online) are written in one transaction. */
  setStatus(id: string, status: AgentStatus): Promise<void> {
    return this.statuses.add({ id, status });
  }

  private readonly statuses = new Coalescer<{ id: string; status: AgentStatus }, void>(async (changes) => {
    // An agent changed twice in one batch ends with the later status.
    const latest = new Map(changes.map((c) => [c.id, c.status]));
    const byStatus = new Map<AgentStatus, string[]>();
    for (const [id, status] of latest) byStatus.set(status, [...(byStatus.get(status) ?? []), id]);
    await this.prisma.$transaction([...byStatus].map(([status, ids]) => this.prisma.agent.updateMany({ where: { id: { in: ids } }, data: { status } })));
    return changes.map(() => ({ status: 'fulfilled', value: undefined }));
  });

  count() {
    return this.prisma.agent.count();
  }

  async listAdmin(): Promise<AgentAdminRecord[]> {
    const rows = await this.prisma.agent.findMany({ orderBy: { createdAt: 'asc' }, include: withSites });
    return rows.map((row) => ({ ...toRecord(row), createdAt: row.createdAt }));
  }

  async update(id: string, patch: AgentPatch): Promise<AgentAdminRecord | null> {
    const { siteIds, ...fields } = patch;
    const row = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.agent.updateMany({ where: { id }, data: fields });
      if (count !== 1) return null;
      if (siteIds) {
        await tx.siteMember.deleteMany({ where: { agentId: id } });
        if (siteIds.length > 0) await tx.siteMember.createMany({ data: siteIds.map((siteId) => ({ siteId, agentId: id })) });
      }
      return tx.agent.findUnique({ where: { id }, include: withSites });
    });
    return row ? { ...toRecord(row), createdAt: row.createdAt } : null;
  }

  async signInFailures(id: string): Promise<AccountFailures> {
    const row = await this.prisma.agent.findUnique({ where: { id }, select: { signInFailures: true, lastSignInFailureAt: true } });
    return { count: row?.signInFailures ?? 0, lastAt: row?.lastSignInFailureAt?.getTime() ?? null };
  }

  async clearSignInFailures(id: string): Promise<void> {
    await this.prisma.agent.updateMany({ where: { id, signInFailures: { gt: 0 } }, data: { signInFailures: 0, lastSignInFailureAt: null } });
  }

  async recordSignInFailure(id: string, at: Date, forgetBefore: Date): Promise<void> {
    // Two statements in one transaction: each is atomic, so concurrent failures all count.
    await this.prisma.$transaction([
      this.prisma.agent.updateMany({ where: { id, lastSignInFailureAt: { lte: forgetBefore } }, data: { signInFailures: 0 } }),
      this.prisma.agent.updateMany({ where: { id }, data: { signInFailures: { increment: 1 }, lastSignInFailureAt: at } }),
    ]);
  }
}
