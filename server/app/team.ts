/**
 * Running the team from the admin screens: sites (settings, origins, identity secret), agents (create,
 * invite, change, deactivate), invitations and canned responses, and reports. Every input arrives
 * validated for shape (server/http/admin-routes.ts); the rules that need the database are checked here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  AgentAdminDTO,
  CannedResponseRequest,
  CreateAgentRequest,
  CreateSiteRequest,
  InviteResult,
  Report,
  SiteAdminDTO,
  StaffingView,
  UpdateAgentRequest,
  UpdateSiteRequest,
} from '../contract/admin.ts';
import type { AgentDTO, CannedResponseDTO } from '../contract/dto.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Clock } from '../domain/clock.ts';
import { knownSiteIds, rotateVisitorKey, snippet, updateSite, type AdminService } from './admin.ts';
import { AppError, notFound } from './errors.ts';
import { newSecret } from './ids.ts';
import type { AgentAdminRecord, AgentPatch, AgentRecord, Notifier, SiteAdminRecord, Store } from './ports.ts';
import { computeReport, queryWindow, type GroupBy } from './reports.ts';
import { staffingView, type StaffingQuery } from './staffing.ts';

export const INVITE_TTL_MS = 7 * 86_400_000;

/** What the team service needs from routing: re-read an agent after a change, and live presence and load. */
export interface AgentRouting {
  refreshAgent(agentId: string): Promise<unknown>;
  dto(agent: AgentRecord): AgentDTO;
}

export interface ReportQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
  timezone: string;
  siteId?: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export class TeamService {
  constructor(
    private readonly store: Store,
    private readonly routing: AgentRouting,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly admin: AdminService,
  ) {}

  // --- sites -------------------------------------------------------------------------------------

  async listSites(publicUrl: string): Promise<SiteAdminDTO[]> {
    return (await this.store.sites.listAdmin()).map((site) => siteDTO(site, publicUrl));
  }

  async getSite(id: string, publicUrl: string): Promise<SiteAdminDTO> {
    return siteDTO(await this.requireSite(id), publicUrl);
  }

  async createSite(input: CreateSiteRequest, publicUrl: string): Promise<SiteAdminDTO> {
    const created = await this.admin.createSite({ name: input.name, origins: input.allowedOrigins, widgetSettings: input.widgetSettings });
    const site = await this.store.sites.update(created.id, { identityRequired: input.identityRequired ?? false });
    if (!site) throw notFound('Site');
    // Admins answer for every site: their open consoles start receiving this one's events.
    this.notifier.siteAdded(site.id);
    return siteDTO(site, publicUrl);
  }

  async updateSite(id: string, input: UpdateSiteRequest, publicUrl: string): Promise<SiteAdminDTO> {
    return siteDTO(await updateSite(this.store, this.notifier, id, input), publicUrl);
  }

  /** A new identity secret: hashes signed with the old one stop verifying at once. */
  async rotateSecret(id: string, publicUrl: string): Promise<SiteAdminDTO> {
    const site = await this.store.sites.update(id, { identitySecret: newSecret() });
    if (!site) throw notFound('Site');
    return siteDTO(site, publicUrl);
  }

  async rotateVisitorKey(id: string, publicUrl: string): Promise<SiteAdminDTO> {
    return siteDTO(await rotateVisitorKey(this.store, this.notifier, id), publicUrl);
  }

  // --- agents ------------------------------------------------------------------------------------

  async listAgents(): Promise<AgentAdminDTO[]> {
    // Bots are managed as bots (app/bots.ts), not as agents.
    return (await this.store.agents.listAdmin()).filter((agent) => agent.role !== 'bot').map((agent) => this.agentDTO(agent));
  }

  /** With a password the agent can sign in at once; without one, they get a one-time link to set it. */
  async createAgent(input: CreateAgentRequest, publicUrl: string): Promise<InviteResult> {
    const created = await this.admin.createAgent(input);
    await this.routing.refreshAgent(created.id);
    const agent = await this.requireAgent(created.id);
    return { agent: this.agentDTO(agent), inviteUrl: input.password ? null : await this.newInvite(agent.id, publicUrl) };
  }

  /** A fresh one-time link for an agent (a lost or expired invite, or a forgotten password). */
  async reinvite(agentId: string, publicUrl: string): Promise<InviteResult> {
    const agent = await this.requireAgent(agentId);
    if (!agent.active) throw new AppError('CONFLICT', 'Reactivate the agent before inviting them');
    return { agent: this.agentDTO(agent), inviteUrl: await this.newInvite(agent.id, publicUrl) };
  }

  /**
   * Changes an agent. Routing re-reads them at once: a deactivated agent's conversations return to the
   * queue, and a new capacity or set of sites applies to the next assignment.
   */
  async updateAgent(actorId: string, agentId: string, input: UpdateAgentRequest): Promise<AgentAdminDTO> {
    const current = await this.requireAgent(agentId);
    if (agentId === actorId && (input.active === false || (input.role !== undefined && input.role !== 'admin'))) {
      throw new AppError('CONFLICT', 'You cannot deactivate yourself or give up your own admin role');
    }
    if (input.avatarUrl && !isHttpsUrl(input.avatarUrl)) throw new AppError('BAD_REQUEST', 'avatarUrl must be an https URL');
    const patch: AgentPatch = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw new AppError('BAD_REQUEST', 'Name is required');
      patch.name = name;
    }
    if (input.role !== undefined) patch.role = input.role;
    if (input.capacity !== undefined) patch.capacity = input.capacity;
    if (input.siteIds !== undefined) patch.siteIds = await knownSiteIds(this.store, input.siteIds);
    if (input.active !== undefined) patch.active = input.active;
    if (input.avatarUrl !== undefined) patch.avatarUrl = input.avatarUrl;
    const updated = await this.store.agents.update(agentId, patch);
    if (!updated) throw notFound('Agent');
    // Either way: no login outlives a deactivation, and a reactivation starts from a fresh sign-in.
    if (updated.active !== current.active) await this.endAllLogins(agentId);
    // Nor does a link handed out before it: a reactivated agent gets a new one.
    if (!updated.active) await this.store.invites.discardUnused(agentId);
    const routingChanged = (['role', 'capacity', 'siteIds', 'active', 'name'] as const).some((k) => patch[k] !== undefined);
    if (routingChanged || current.avatarUrl !== updated.avatarUrl) await this.routing.refreshAgent(agentId);
    return this.agentDTO(updated);
  }

  /** Sets the password of an invited agent; the link works once. Returns the email to sign in with. */
  async acceptInvite(token: string, password: string): Promise<{ email: string }> {
    if (password.length < 8) throw new AppError('BAD_REQUEST', 'Password must be at least 8 characters');
    const agentId = await this.store.invites.consume(hashToken(token), new Date(this.clock.now()));
    const agent = agentId ? await this.store.agents.findById(agentId) : null;
    if (!agent || !agent.active) throw new AppError('NOT_FOUND', 'This invitation is invalid, expired or already used');
    await this.store.agents.update(agent.id, { passwordHash: await hashPassword(password) });
    // A new password ends every login made with the old one (the link is also how a forgotten password is reset).
    await this.endAllLogins(agent.id);
    return { email: agent.email };
  }

  // --- canned responses --------------------------------------------------------------------------

  listCanned(): Promise<CannedResponseDTO[]> {
    return this.store.canned.list();
  }

  async createCanned(input: CannedResponseRequest): Promise<CannedResponseDTO> {
    const clean = await this.checkCanned(input, null);
    return this.store.canned.create(clean);
  }

  async updateCanned(id: string, input: CannedResponseRequest): Promise<CannedResponseDTO> {
    if (!(await this.store.canned.findById(id))) throw notFound('Canned response');
    const updated = await this.store.canned.update(id, await this.checkCanned(input, id));
    if (!updated) throw notFound('Canned response');
    return updated;
  }

  async deleteCanned(id: string): Promise<void> {
    if (!(await this.store.canned.delete(id))) throw notFound('Canned response');
  }

  // --- reports -----------------------------------------------------------------------------------

  async report(query: ReportQuery): Promise<Report> {
    if (query.siteId) await this.requireSite(query.siteId);
    const window = { ...queryWindow(query.from, query.to), ...(query.siteId ? { siteId: query.siteId } : {}) };
    const [conversations, agents, handoffs, botAnswers] = await Promise.all([
      this.store.reports.conversations(window),
      this.store.agents.list(),
      this.store.reports.handoffs(window),
      this.store.reports.botAnswers(window),
    ]);
    const botAgentIds = new Set(agents.filter((a) => a.role === 'bot').map((a) => a.id));
    return computeReport({ ...query, conversations, agents, botAgentIds, handoffs, botAnswers });
  }

  staffing(query: StaffingQuery): Promise<StaffingView> {
    return staffingView(this.store.reports, this.clock, query);
  }

  // --- internals ---------------------------------------------------------------------------------

  private async endAllLogins(agentId: string): Promise<void> {
    await this.store.refreshTokens.revokeAgent(agentId, new Date(this.clock.now()));
    this.notifier.agentAccessChanged(agentId);
  }

  private agentDTO(agent: AgentAdminRecord): AgentAdminDTO {
    return { ...this.routing.dto(agent), siteIds: agent.siteIds, createdAt: agent.createdAt.toISOString() };
  }

  private async newInvite(agentId: string, publicUrl: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.store.invites.create({ agentId, tokenHash: hashToken(token), expiresAt: new Date(this.clock.now() + INVITE_TTL_MS) });
    // In the fragment, so the token never reaches a server log or a Referer header.
    return `${publicUrl}/console/invite#token=${token}`;
  }

  private async requireSite(id: string): Promise<SiteAdminRecord> {
    const site = (await this.store.sites.listAdmin()).find((s) => s.id === id);
    if (!site) throw notFound('Site');
    return site;
  }

  private async requireAgent(id: string): Promise<AgentAdminRecord> {
    const agent = (await this.store.agents.listAdmin()).find((a) => a.id === id);
    if (!agent) throw notFound('Agent');
    return agent;
  }

  private async checkCanned(input: CannedResponseRequest, id: string | null): Promise<Omit<CannedResponseDTO, 'id'>> {
    if (input.siteId !== null && !(await this.store.sites.findById(input.siteId))) {
      throw new AppError('BAD_REQUEST', `No site with id ${input.siteId}`);
    }
    const shortcut = input.shortcut.trim().replace(/^\//, '').toLowerCase();
    const clash = await this.store.canned.findByShortcut(input.siteId, shortcut);
    if (clash && clash.id !== id) throw new AppError('CONFLICT', `/${shortcut} is taken`);
    return { siteId: input.siteId, shortcut, title: input.title.trim(), body: input.body };
  }
}

function siteDTO(site: SiteAdminRecord, publicUrl: string): SiteAdminDTO {
  return {
    id: site.id,
    name: site.name,
    publicKey: site.publicKey,
    allowedOrigins: site.allowedOrigins,
    widgetSettings: site.widgetSettings,
    identityRequired: site.identityRequired,
    identitySecret: site.identitySecret,
    visitorKeyVersion: site.visitorKeyVersion,
    snippet: snippet(publicUrl, site.publicKey),
    createdAt: site.createdAt.toISOString(),
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
