import type { SiteAdminRecord, SitePatch, SiteStore } from '../app/ports.ts';
import type { WidgetSettings } from '../contract/dto.ts';
import type { IdGenerator } from '../app/ids.ts';
import { newSecret, newSiteKey } from '../app/ids.ts';
import type { Prisma, PrismaClient, Site } from './generated/sqlite/client.ts';
import { toSiteRecord } from './mappers.ts';

const toAdminRecord = (row: Site): SiteAdminRecord => ({ ...toSiteRecord(row), createdAt: row.createdAt });

export class PrismaSiteStore implements SiteStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(site: { name: string; allowedOrigins: string[]; widgetSettings: WidgetSettings }) {
    const row = await this.prisma.site.create({
      data: {
        id: this.newId(),
        name: site.name,
        publicKey: newSiteKey(),
        allowedOrigins: site.allowedOrigins,
        widgetSettings: { ...site.widgetSettings } as object,
        identitySecret: newSecret(),
      },
    });
    return toSiteRecord(row);
  }

  async findByKey(publicKey: string) {
    const row = await this.prisma.site.findUnique({ where: { publicKey } });
    return row ? toSiteRecord(row) : null;
  }

  async findById(id: string) {
    const row = await this.prisma.site.findUnique({ where: { id } });
    return row ? toSiteRecord(row) : null;
  }

  async list() {
    const rows = await this.prisma.site.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map(toSiteRecord);
  }

  async setAllowedOrigins(id: string, origins: string[]) {
    await this.prisma.site.update({ where: { id }, data: { allowedOrigins: origins } });
  }

  count() {
    return this.prisma.site.count();
  }

  async listAdmin() {
    const rows = await this.prisma.site.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map(toAdminRecord);
  }

  async update(id: string, patch: SitePatch) {
    const { widgetSettings, ...rest } = patch;
    return this.updateWith(id, { ...rest, ...(widgetSettings ? { widgetSettings: { ...widgetSettings } as object } : {}) });
  }

  rotateVisitorKey(id: string) {
    // An increment in the database: two rotations at once both count.
    return this.updateWith(id, { visitorKeyVersion: { increment: 1 } });
  }

  private async updateWith(id: string, data: Prisma.SiteUpdateManyMutationInput) {
    const { count } = await this.prisma.site.updateMany({ where: { id }, data });
    if (count !== 1) return null;
    const row = await this.prisma.site.findUnique({ where: { id } });
    return row ? toAdminRecord(row) : null;
  }
}
