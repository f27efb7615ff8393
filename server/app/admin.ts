/**
 * Creating sites and agents: the one place their rules live, for the CLI, the first-run bootstrap and the admin
 * API (TeamService adds what a running server must also do: tell routing and open consoles, send invites).
 */
import type { AgentRole } from '../contract/dto.ts';
import type { UpdateSiteRequest, WidgetSettingsPatch } from '../contract/admin.ts';
import { hashPassword } from '../auth/passwords.ts';
import { parseAllowedOrigin } from '../auth/origins.ts';
import { DEFAULT_WIDGET_SETTINGS, mergeSettings } from '../contract/defaults.ts';
import { AppError, notFound } from './errors.ts';
import type { AgentRecord, Notifier, SiteAdminRecord, SiteRecord, Store } from './ports.ts';

export interface NewSite {
  name: string;
  origins: string[];
  widgetSettings?: WidgetSettingsPatch;
}

export interface NewAgent {
  email: string;
  /** Omitted: the agent cannot sign in until they set one through an invitation. */
  password?: string;
  name?: string;
  role: AgentRole;
  capacity?: number;
  /** Site ids the agent answers for; omitted means every site that exists. Admins answer for all sites anyway. */
  siteIds?: string[];
}

/** Stored instead of a password hash until the invited agent sets one: no password verifies against it. */
const NO_PASSWORD = '!invited';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const ORIGIN_RULE = 'an origin is http:// or https://, a host name or IP address (IPv6 in brackets) and an optional port; no wildcard, path or other characters';

/** A site's allowed origins as given: each checked and normalized, each once, at least one. */
export function allowedOrigins(origins: string[]): string[] {
  const parsed = origins.map((value) => {
    const origin = parseAllowedOrigin(value);
    if (!origin) throw new AppError('BAD_REQUEST', `Not an allowed origin: ${JSON.stringify(value)}; ${ORIGIN_RULE}`);
    return origin;
  });
  if (parsed.length === 0) throw new AppError('BAD_REQUEST', 'At least one allowed origin is required');
  return [...new Set(parsed)];
}

/** Sites holding origins saved before they were checked, which CORS and the frame now ignore, for a warning at start. */
export async function sitesWithIgnoredOrigins(store: Store): Promise<{ siteKey: string; ignored: string[] }[]> {
  return (await store.sites.list()).flatMap((site) => {
    const ignored = site.allowedOrigins.filter((origin) => parseAllowedOrigin(origin) !== origin);
    return ignored.length > 0 ? [{ siteKey: site.publicKey, ignored }] : [];
  });
}

/** Site ids that all exist, each once; an unknown one is refused. */
export async function knownSiteIds(store: Store, siteIds: string[]): Promise<string[]> {
  const known = new Set((await store.sites.list()).map((s) => s.id));
  const unknown = siteIds.find((id) => !known.has(id));
  if (unknown) throw new AppError('BAD_REQUEST', `No site with id ${unknown}`);
  return [...new Set(siteIds)];
}

export class AdminService {
  constructor(private readonly store: Store) {}

  async createSite(input: NewSite): Promise<SiteRecord> {
    const name = input.name.trim();
    if (!name) throw new AppError('BAD_REQUEST', 'Site name is required');
    return this.store.sites.create({
      name,
      allowedOrigins: allowedOrigins(input.origins),
      widgetSettings: mergeSettings(DEFAULT_WIDGET_SETTINGS, input.widgetSettings),
    });
  }

  async createAgent(input: NewAgent): Promise<AgentRecord> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new AppError('BAD_REQUEST', `Not an email address: ${input.email}`);
    if (input.password !== undefined && input.password.length < 8) throw new AppError('BAD_REQUEST', 'Password must be at least 8 characters');
    const capacity = input.capacity ?? 5;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100) {
      throw new AppError('BAD_REQUEST', 'Capacity must be a whole number from 1 to 100');
    }
    if (await this.store.agents.findByEmail(email)) throw new AppError('CONFLICT', `An agent with email ${email} exists`);
    const siteIds = input.siteIds ? await knownSiteIds(this.store, input.siteIds) : (await this.store.sites.list()).map((s) => s.id);
    return this.store.agents.create({
      email,
      passwordHash: input.password !== undefined ? await hashPassword(input.password) : NO_PASSWORD,
      name: input.name?.trim() || email.split('@')[0]!,
      role: input.role,
      capacity,
      siteIds,
    });
  }
}

/**
 * Refuses every visitor token of the site signed so far (a leaked token, a misbehaving client) and closes its
 * visitors' connections; their widgets get new tokens through their normal session renewal.
 */
export async function rotateVisitorKey(
  store: Store,
  notifier: Pick<Notifier, 'siteVisitorsRevoked'>,
  siteId: string,
): Promise<SiteAdminRecord> {
  const site = await store.sites.rotateVisitorKey(siteId);
  if (!site) throw notFound('Site');
  notifier.siteVisitorsRevoked(site.id);
  return site;
}

/**
 * Changes a site's name, origins, widget settings or identity requirement (validated for shape by the caller:
 * server/validation/admin.ts); settings merge into the stored ones. The admin API and the CLI both use it.
 */
export async function updateSite(
  store: Store,
  notifier: Pick<Notifier, 'siteVisibilityChanged'>,
  id: string,
  input: UpdateSiteRequest,
): Promise<SiteAdminRecord> {
  const current = (await store.sites.listAdmin()).find((s) => s.id === id);
  if (!current) throw notFound('Site');
  const name = input.name?.trim();
  if (name === '') throw new AppError('BAD_REQUEST', 'Site name is required');
  const origins = input.allowedOrigins && allowedOrigins(input.allowedOrigins);
  const patch = {
    ...(name ? { name } : {}),
    ...(origins ? { allowedOrigins: origins } : {}),
    ...(input.widgetSettings ? { widgetSettings: mergeSettings(current.widgetSettings, input.widgetSettings) } : {}),
    ...(input.identityRequired !== undefined ? { identityRequired: input.identityRequired } : {}),
  };
  // Nothing to change: the site as it is (an empty update writes no row, which would read as "not found").
  if (Object.keys(patch).length === 0) return current;
  const site = await store.sites.update(id, patch);
  if (!site) throw notFound('Site');
  // Open consoles hold the rooms of the old setting: close them, so they reconnect under the new one.
  if (site.widgetSettings.agentsSeeAll !== current.widgetSettings.agentsSeeAll) notifier.siteVisibilityChanged(id);
  return site;
}

/** The one-tag embed code for a site. */
export function snippet(publicUrl: string, siteKey: string): string {
  return `<script async src="${publicUrl}/widget.js" data-site="${siteKey}"></script>`;
}
