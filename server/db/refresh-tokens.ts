import type { RefreshTokenStore } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';

export class PrismaRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(token: { agentId: string; familyId: string; tokenHash: string; expiresAt: Date }) {
    await this.prisma.refreshToken.create({ data: { id: this.newId(), ...token } });
  }

  async consume(tokenHash: string, now: Date) {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash } });
    if (!row || row.revokedAt || row.expiresAt <= now) return { status: 'invalid' } as const;
    // Guarded so that two concurrent refreshes with one token cannot both succeed.
    const { count } = await this.prisma.refreshToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
    if (count !== 1) return { status: 'reused', familyId: row.familyId } as const;
    return { status: 'ok', agentId: row.agentId, familyId: row.familyId } as const;
  }

  async revokeFamily(familyId: string, now: Date) {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  }

  async revokeAgent(agentId: string, now: Date) {
    await this.prisma.refreshToken.updateMany({ where: { agentId, revokedAt: null }, data: { revokedAt: now } });
  }

  async isLive(familyId: string, now: Date) {
    return (await this.prisma.refreshToken.count({ where: { familyId, revokedAt: null, expiresAt: { gt: now } } })) > 0;
  }
}
