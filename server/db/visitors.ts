import type { VisitorStore } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { toVisitorDTO } from './mappers.ts';

export class PrismaVisitorStore implements VisitorStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(siteId: string) {
    return toVisitorDTO(await this.prisma.visitor.create({ data: { id: this.newId(), siteId, attributes: {} } }));
  }

  async findById(id: string) {
    const row = await this.prisma.visitor.findUnique({ where: { id } });
    return row ? toVisitorDTO(row) : null;
  }

  async touch(id: string) {
    await this.prisma.visitor.updateMany({ where: { id }, data: { lastSeenAt: new Date() } });
  }
}
