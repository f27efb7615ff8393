/** API keys. Only the SHA-256 of a key is stored; a key is found by its hash, so no key is ever compared. */
import type { ApiKeyRecord, ApiKeyStore, NewApiKey } from '../app/api-key-store.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { ApiScope } from '../contract/api-keys.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';

type Row = Awaited<ReturnType<PrismaClient['apiKey']['findUniqueOrThrow']>>;

const toRecord = ({ keyHash: _hash, scopes, ...row }: Row): ApiKeyRecord => ({ ...row, scopes: scopes.split(' ') as ApiScope[] });

export class PrismaApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    const { scopes, ...rest } = key;
    return toRecord(await this.prisma.apiKey.create({ data: { id: this.newId(), ...rest, scopes: scopes.join(' ') } }));
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } })).map(toRecord);
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash } });
    return row && toRecord(row);
  }

  async revoke(id: string, now: Date): Promise<ApiKeyRecord | null> {
    // Guarded: revoking twice keeps the first time.
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    return row && toRecord(row);
  }

  async touch(id: string, now: Date, notSince: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({
      where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: notSince } }] },
      data: { lastUsedAt: now },
    });
  }
}
