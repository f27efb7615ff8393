/** Visitor identity: a signed token scoped to (site, visitor), handed out only to the site's own origins. */
import type { VisitorSessionResponse, WidgetConfig } from '../contract/http.ts';
import { MAX_MESSAGE_LENGTH } from '../contract/events.ts';
import { isOriginAllowed } from '../auth/origins.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { isOpen } from '../domain/business-hours.ts';
import type { Clock } from '../domain/clock.ts';
import { ATTACHMENT_LIMITS } from './attachments.ts';
import { AppError } from './errors.ts';
import type { SiteRecord, Store } from './ports.ts';

/** Who is asking: a page of our own origin (trusted), or a browser page whose Origin must be allowed. */
export type SiteAccess = { trusted: true } | { origin: string | undefined };

export class VisitorSessionService {
  constructor(
    private readonly store: Store,
    private readonly signer: TokenSigner,
    private readonly agentsOnline: (siteId: string) => boolean,
    private readonly clock: Clock,
    /** Whether the server sends email, which the widget's offline text depends on. */
    private readonly emailEnabled: boolean,
  ) {}

  /** The site named by key, provided the request comes from one of its allowed origins (or from us). */
  async siteFor(siteKey: string, access: SiteAccess): Promise<SiteRecord> {
    const site = await this.store.sites.findByKey(siteKey);
    if (!site) throw new AppError('NOT_FOUND', 'Unknown site key');
    if ('origin' in access && !isOriginAllowed(access.origin, site.allowedOrigins)) {
      throw new AppError('ORIGIN_NOT_ALLOWED', `Origin ${access.origin ?? '(none)'} is not allowed for this site`);
    }
    return site;
  }

  async open(siteKey: string, access: SiteAccess, token: string | undefined): Promise<VisitorSessionResponse> {
    const site = await this.siteFor(siteKey, access);
    const visitorId = (await this.existingVisitor(site, token)) ?? (await this.store.visitors.create(site.id)).id;
    const signed = this.signer.signVisitor({ visitorId, siteId: site.id, keyVersion: site.visitorKeyVersion });
    return { token: signed.token, visitorId, expiresAt: signed.expiresAt.toISOString() };
  }

  /** Public settings only, so no origin check: the frame (on our origin) reads it too. */
  config(site: SiteRecord): WidgetConfig {
    return {
      siteKey: site.publicKey,
      siteName: site.name,
      settings: site.widgetSettings,
      agentsOnline: this.agentsOnline(site.id),
      identityRequired: site.identityRequired,
      maxMessageLength: MAX_MESSAGE_LENGTH,
      open: isOpen(site.widgetSettings.businessHours, this.clock.now()),
      attachments: ATTACHMENT_LIMITS,
      emailEnabled: this.emailEnabled,
    };
  }

  /**
   * Reuses the visitor of a still-valid token for the same site; anything else starts afresh, also a token
   * signed before the site's visitor key was rotated (the rotation is for tokens that may have leaked).
   */
  private async existingVisitor(site: SiteRecord, token: string | undefined): Promise<string | null> {
    if (!token) return null;
    try {
      const claims = this.signer.verifyVisitor(token);
      if (claims.siteId !== site.id || claims.keyVersion !== site.visitorKeyVersion) return null;
      const visitor = await this.store.visitors.findById(claims.visitorId);
      if (!visitor) return null;
      await this.store.visitors.touch(visitor.id);
      return visitor.id;
    } catch (error) {
      if (error instanceof AppError) return null;
      throw error;
    }
  }
}
