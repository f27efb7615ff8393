/** A new API key, as the admin API and the CLI take it. */
import { z } from 'zod';
import { API_SCOPES, type CreateApiKeyRequest } from '../contract/api-keys.ts';
import { id, storableText } from './primitives.ts';

export const createApiKey = z.strictObject({
  name: storableText().trim().min(1).max(100),
  scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
  siteId: id.nullable().optional(),
  agentId: id.optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
}) satisfies z.ZodType<CreateApiKeyRequest>;
