/** What a visitor says about themselves: profile and page context, and verified identity from the site. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VisitorDTO } from '../contract/dto.ts';
import type { IdentifyRequest, IdentifyResult, VisitorUpdateRequest } from '../contract/events.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { AppError, notFound } from './errors.ts';
import type { DomainEvents } from './events.ts';
import type { SiteRecord, Store, VisitorPatch } from './ports.ts';

export interface VisitorIdentity {
  visitorId: string;
  siteId: string;
}

/** hex HMAC-SHA256 of the user id with the site's identity secret, as the site's backend computes it. */
export function identityHash(userId: string, secret: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

/**
 * hex HMAC-SHA256 of `userId + "\n" + name + "\n" + email` (an absent field is empty) with the site's identity
 * secret: the site vouches for the name and email too. Names, emails and user ids hold no line breaks, so the
 * string is unambiguous.
 */
export function profileHash(profile: { userId: string; name?: string; email?: string }, secret: string): string {
  return identityHash(`${profile.userId}\n${profile.name ?? ''}\n${profile.email ?? ''}`, secret);
}

function hashMatches(expectedHex: string, hash: string | undefined): boolean {
  if (!hash) return false;
  const expected = Buffer.from(expectedHex);
  const given = Buffer.from(hash.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type ProfileFields = Pick<VisitorPatch, 'name' | 'email' | 'nameVerified' | 'emailVerified'>;

/** The name and email to write: signed ones marked verified; a typed one only where it changes something. */
function profilePatch(stored: VisitorDTO, given: { name?: string; email?: string }, signed: boolean): ProfileFields {
  return {
    ...(given.name !== undefined && (signed || given.name !== stored.name) && { name: given.name, nameVerified: signed }),
    ...(given.email !== undefined && (signed || given.email !== stored.email) && { email: given.email, emailVerified: signed }),
  };
}

/**
 * A verified user's name and email, and any on a site that requires verification, are replaced only when
 * signed. Filling one that is empty stays possible (the pre-chat and offline forms ask for them); it is shown
 * unverified.
 */
function refuseUnsignedChange(site: SiteRecord, stored: VisitorDTO, patch: ProfileFields, signed: boolean): void {
  if (signed || !(site.identityRequired || stored.verified)) return;
  const replaces = (given: string | undefined, current: string | null) => given !== undefined && current !== null;
  if (replaces(patch.name, stored.name) || replaces(patch.email, stored.email)) {
    throw new AppError('FORBIDDEN', "A verified visitor's name and email change only through identify with a matching profileHash");
  }
}

export class VisitorService {
  constructor(
    private readonly store: Store,
    private readonly events: DomainEvents,
    private readonly signer: TokenSigner,
  ) {}

  async update(visitor: VisitorIdentity, req: VisitorUpdateRequest): Promise<VisitorDTO> {
    const [site, before] = await Promise.all([this.store.sites.findById(visitor.siteId), this.store.visitors.findById(visitor.visitorId)]);
    if (!site || !before) throw notFound('Visitor');
    const profile = profilePatch(before, req, false);
    refuseUnsignedChange(site, before, profile, false);
    const written = await this.store.visitors.update(visitor.visitorId, { ...profile, attributes: req.attributes, context: req.context });
    const page = req.context?.pageUrl;
    if (page && page !== before.pageUrl) await this.store.visitors.addPageView(visitor.visitorId, page, req.context?.pageTitle ?? null);
    this.events.emit('visitor.updated', written);
    return written.visitor;
  }

  /**
   * With a valid hash the visitor becomes that site user: an anonymous visitor keeps their conversations,
   * and a user already known (another device) is resumed. With a valid profileHash as well, the name and
   * email are shown as verified. Without a hash, only name and email are taken, and a site that requires
   * verification refuses.
   */
  async identify(visitor: VisitorIdentity, req: IdentifyRequest): Promise<IdentifyResult> {
    const site = await this.store.sites.findById(visitor.siteId);
    const current = await this.store.visitors.findById(visitor.visitorId);
    if (!site || !current) throw notFound('Visitor');
    const verified = hashMatches(identityHash(req.userId, site.identitySecret), req.hash);
    if (!verified && (site.identityRequired || req.hash !== undefined)) {
      throw new AppError('FORBIDDEN', 'Identity verification failed: the hash does not match this user id');
    }
    const signed = verified && hashMatches(profileHash(req, site.identitySecret), req.profileHash);
    if (req.profileHash !== undefined && !signed) {
      throw new AppError('FORBIDDEN', 'Identity verification failed: the profileHash does not match this user id, name and email');
    }
    const { target, claim } = verified ? await this.resolveUser(current, req.userId) : { target: current, claim: false };
    const profile = profilePatch(target, req, signed);
    refuseUnsignedChange(site, target, profile, signed);
    const written = await this.store.visitors.update(target.id, { ...(claim && { externalId: req.userId }), ...profile });
    this.events.emit('visitor.identified', { ...written, previousVisitorId: current.id, verified });
    const updated = written.visitor;
    return { visitor: updated, token: this.signer.signVisitor({ visitorId: updated.id, siteId: updated.siteId, keyVersion: site.visitorKeyVersion }).token };
  }

  /** Whom a verified identify makes this connection: `claim` when the current anonymous visitor becomes the user. */
  private async resolveUser(current: VisitorDTO, userId: string): Promise<{ target: VisitorDTO; claim: boolean }> {
    if (current.externalId === userId) return { target: current, claim: false };
    const known = await this.store.visitors.findByExternalId(current.siteId, userId);
    if (current.externalId === null) {
      if (!known) return { target: current, claim: true };
      await this.store.visitors.moveConversations(current.id, known.id);
      return { target: known, claim: false };
    }
    // Another user signed in on this browser: switch to them, leaving the previous user's history alone.
    return { target: known ?? (await this.store.visitors.create(current.siteId, userId)), claim: false };
  }
}
