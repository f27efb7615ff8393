/** Saved replies. A null siteId means the response is offered on every site. */
import type { CannedStore } from '../app/ports.ts';
import type { CannedResponseDTO } from '../contract/dto.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { CannedResponse, PrismaClient } from './generated/sqlite/client.ts';

function toDTO(row: CannedResponse): CannedResponseDTO {
  return { id: row.id, siteId: row.siteId, shortcut: row.shortcut, title: row.title, body: row.body };
}

const order = [{ shortcut: 'asc' as const }, { id: 'asc' as const }];

export class PrismaCannedStore implements CannedStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async list(): Promise<CannedResponseDTO[]> {
    return (await this.prisma.cannedResponse.findMany({ orderBy: order })).map(toDTO);
  }

  async forSites(siteIds: string[] | 'all'): Promise<CannedResponseDTO[]> {
    const where = siteIds === 'all' ? {} : { OR: [{ siteId: null }, { siteId: { in: siteIds } }] };
    return (await this.prisma.cannedResponse.findMany({ where, orderBy: order })).map(toDTO);
  }

  async findById(id: string): Promise<CannedResponseDTO | null> {
    const row = await this.prisma.cannedResponse.findUnique({ where: { id } });
    return row ? toDTO(row) : null;
  }

  async findByShortcut(siteId: string | null, shortcut: string): Promise<CannedResponseDTO | null> {
    const row = await this.prisma.cannedResponse.findFirst({ where: { siteId, shortcut } });
    return row ? toDTO(row) : null;
  }

  async create(input: Omit<CannedResponseDTO, 'id'>): Promise<CannedResponseDTO> {
    return toDTO(await this.prisma.cannedResponse.create({ data: { id: this.newId(), ...input } }));
  }

  async update(id: string, input: Omit<CannedResponseDTO, 'id'>): Promise<CannedResponseDTO | null> {
    const { count } = await this.prisma.cannedResponse.updateMany({ where: { id }, data: input });
    return count === 1 ? this.findById(id) : null;
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.cannedResponse.deleteMany({ where: { id } });
    return count === 1;
  }
}
