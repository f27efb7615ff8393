/** How API keys are kept (server/db/api-keys.ts): a port of its own, so ports.ts and the use case need not import each other. */
import type { ApiScope } from '../contract/api-keys.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: ApiScope[];
  siteId: string | null;
  agentId: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export type NewApiKey = Pick<ApiKeyRecord, 'name' | 'scopes' | 'siteId' | 'agentId' | 'expiresAt'> & { keyHash: string };

export interface ApiKeyStore {
  create(key: NewApiKey): Promise<ApiKeyRecord>;
  list(): Promise<ApiKeyRecord[]>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Null: no such key. Revoking a revoked key keeps its first revocation. */
  revoke(id: string, now: Date): Promise<ApiKeyRecord | null>;
  /** Sets lastUsedAt to `now` unless it is already after `notSince`. */
  touch(id: string, now: Date, notSince: Date): Promise<void>;
}
