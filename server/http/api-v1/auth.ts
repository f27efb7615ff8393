/** `Authorization: Bearer pk_…` → the key's principal, then one request from the key's own rate limit. */
import type { Request, RequestHandler } from 'express';
import type { ApiKeyService, ApiPrincipal } from '../../app/api-keys.ts';
import { AppError } from '../../app/errors.ts';
import type { Limits } from '../../app/limits.ts';
import { route } from '../errors.ts';

const principals = new WeakMap<Request, ApiPrincipal>();

export function apiKeyAuth(apiKeys: ApiKeyService, limits: Limits): RequestHandler {
  return route(async (req, _res, next) => {
    const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
    if (!match) throw new AppError('UNAUTHORIZED', 'Authorization: Bearer <API key> required');
    const principal = await apiKeys.authenticate(match[1]!);
    await limits.take('apiKey', principal.keyId);
    principals.set(req, principal);
    next();
  });
}

/** The principal apiKeyAuth found for this request. */
export const principal = (req: Request): ApiPrincipal => principals.get(req)!;
