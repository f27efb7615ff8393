/** API keys for the REST API v1: what an admin creates, lists and revokes (console, admin API and CLI). */

export const API_SCOPES = [
  'conversations:read',
  'conversations:write',
  'visitors:read',
  'visitors:write',
  'reports:read',
  'admin',
] as const;

export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKeyDTO {
  id: string;
  name: string;
  scopes: ApiScope[];
  /** The one site the key reaches; null: every site its agent serves. */
  siteId: string | null;
  /** The agent the key acts as. */
  agentId: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface CreateApiKeyRequest {
  name: string;
  scopes: ApiScope[];
  siteId?: string | null;
  /** The agent the key acts as; by default the admin creating it. */
  agentId?: string;
  /** Days until the key stops working; none: it works until revoked. */
  expiresInDays?: number;
}

/** The key itself travels only in this answer, once. */
export interface CreatedApiKey {
  id: string;
  key: string;
  apiKey: ApiKeyDTO;
}
