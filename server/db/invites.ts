/** One-time agent invitations. Only the SHA-256 of the token is stored; using it is a guarded update. */
import type { InviteStore } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';

export class PrismaInviteStore implements InviteStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  /** A new invite replaces the agent's unused ones: only the latest link works. */
  async create(invite: { agentId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await this.prisma.$transaction([
      this.deleteUnused(invite.agentId),
      this.prisma.agentInvite.create({ data: { id: this.newId(), ...invite } }),
    ]);
  }

  async discardUnused(agentId: string): Promise<void> {
    await this.deleteUnused(agentId);
  }

  private deleteUnused(agentId: string) {
    return this.prisma.agentInvite.deleteMany({ where: { agentId, usedAt: null } });
  }

  async consume(tokenHash: string, now: Date): Promise<string | null> {
    const row = await this.prisma.agentInvite.findUnique({ where: { tokenHash } });
    if (!row || row.usedAt || row.expiresAt <= now) return null;
    // Guarded: two concurrent accepts of one link cannot both succeed.
    const { count } = await this.prisma.agentInvite.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
    return count === 1 ? row.agentId : null;
  }
}
