/** What a visitor says about themselves: profile and page context, and verified identity from the site. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VisitorDTO } from '../contract/dto.ts';
import type { IdentifyRequest, IdentifyResult, VisitorUpdateRequest } from '../contract/events.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { AppError, notFound } from './errors.ts';
import type { Notifier, Store } from './ports.ts';

export interface VisitorIdentity {
  visitorId: string;
  siteId: string;
}

/** hex HMAC-SHA256 of the user id with the site's identity secret, as the site's backend computes it. */
export function identityHash(userId: string, secret: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

function hashMatches(userId: string, secret: string, hash: string | undefined): boolean {
  if (!hash) return false;
  const expected = Buffer.from(identityHash(userId, secret));
  const given = Buffer.from(hash.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class VisitorService {
  constructor(
    private readonly store: Store,
    private readonly notifier: Notifier,
    private readonly signer: TokenSigner,
  ) {}

  async update(visitor: VisitorIdentity, req: VisitorUpdateRequest): Promise<VisitorDTO> {
    const before = await this.store.visitors.findById(visitor.visitorId);
    if (!before) throw notFound('Visitor');
    const updated = await this.store.visitors.update(visitor.visitorId, req);
    const page = req.context?.pageUrl;
    if (page && page !== before.pageUrl) await this.store.visitors.addPageView(visitor.visitorId, page, req.context?.pageTitle ?? null);
    this.notifier.visitorChanged(updated);
    return updated;
  }

  /**
   * With a valid hash the visitor becomes that site user: an anonymous visitor keeps their conversations,
   * and a user already known (another device) is resumed. Without one, only name and email are taken, and
   * a site that requires verification refuses.
   */
  async identify(visitor: VisitorIdentity, req: IdentifyRequest): Promise<IdentifyResult> {
    const site = await this.store.sites.findById(visitor.siteId);
    const current = await this.store.visitors.findById(visitor.visitorId);
    if (!site || !current) throw notFound('Visitor');
    const verified = hashMatches(req.userId, site.identitySecret, req.hash);
    if (!verified && (site.identityRequired || req.hash !== undefined)) {
      throw new AppError('FORBIDDEN', 'Identity verification failed: the hash does not match this user id');
    }
    const profile = { ...(req.name !== undefined && { name: req.name }), ...(req.email !== undefined && { email: req.email }) };
    const target = verified ? await this.resolveUser(current, req.userId) : current;
    const updated = await this.store.visitors.update(target.id, profile);
    this.notifier.visitorChanged(updated);
    return { visitor: updated, token: this.signer.signVisitor({ visitorId: updated.id, siteId: updated.siteId, keyVersion: site.visitorKeyVersion }).token };
  }

  private async resolveUser(current: VisitorDTO, userId: string): Promise<VisitorDTO> {
    if (current.externalId === userId) return current;
    const known = await this.store.visitors.findByExternalId(current.siteId, userId);
    if (current.externalId === null) {
      if (!known) return this.store.visitors.setExternalId(current.id, userId);
      await this.store.visitors.moveConversations(current.id, known.id);
      return known;
    }
    // Another user signed in on this browser: switch to them, leaving the previous user's history alone.
    return known ?? this.store.visitors.create(current.siteId, userId);
  }
}
