/**
 * The REST API's sites and agents: read and managed with a key acting as an admin, through the very use cases
 * the console's admin screens call (TeamService), so validation, secrets, invitations and requeues on
 * deactivation are the console's. A key limited to one site reaches that site and the agents who serve it,
 * and cannot create sites, make admins or move agents between sites: that would reach beyond its site.
 */
import type { AgentAdminDTO, CreateAgentRequest, CreateSiteRequest, InviteResult, SiteAdminDTO, UpdateAgentRequest, UpdateSiteRequest } from '../contract/admin.ts';
import { requireAdminAgent, requireScope, type ApiPrincipal } from './api-keys.ts';
import { AppError, notFound } from './errors.ts';
import type { Routing } from './routing-port.ts';
import type { TeamService } from './team.ts';

const beyondItsSite = (what: string) => new AppError('FORBIDDEN', `A key limited to one site cannot ${what}`);

export class ApiTeam {
  constructor(
    private readonly routing: Routing,
    private readonly team: TeamService,
  ) {}

  async sites(key: ApiPrincipal, publicUrl: string): Promise<SiteAdminDTO[]> {
    await this.admin(key);
    return (await this.team.listSites(publicUrl)).filter((site) => key.siteId === null || site.id === key.siteId);
  }

  async site(key: ApiPrincipal, id: string, publicUrl: string): Promise<SiteAdminDTO> {
    await this.reachSite(key, id);
    return this.team.getSite(id, publicUrl);
  }

  async createSite(key: ApiPrincipal, input: CreateSiteRequest, publicUrl: string): Promise<SiteAdminDTO> {
    await this.admin(key);
    if (key.siteId !== null) throw beyondItsSite('create sites');
    return this.team.createSite(input, publicUrl);
  }

  async updateSite(key: ApiPrincipal, id: string, input: UpdateSiteRequest, publicUrl: string): Promise<SiteAdminDTO> {
    await this.reachSite(key, id);
    return this.team.updateSite(id, input, publicUrl);
  }

  async rotateSecret(key: ApiPrincipal, id: string, publicUrl: string): Promise<SiteAdminDTO> {
    await this.reachSite(key, id);
    return this.team.rotateSecret(id, publicUrl);
  }

  async rotateVisitorKey(key: ApiPrincipal, id: string, publicUrl: string): Promise<SiteAdminDTO> {
    await this.reachSite(key, id);
    return this.team.rotateVisitorKey(id, publicUrl);
  }

  async agents(key: ApiPrincipal): Promise<AgentAdminDTO[]> {
    await this.admin(key);
    return (await this.team.listAgents()).filter((agent) => this.reaches(key, agent));
  }

  /** A site key's new agents serve its site, and only it. */
  async createAgent(key: ApiPrincipal, input: CreateAgentRequest, publicUrl: string): Promise<InviteResult> {
    await this.admin(key);
    if (key.siteId === null) return this.team.createAgent(input, publicUrl);
    if (input.role === 'admin') throw beyondItsSite('create admins, who answer for every site');
    if (input.siteIds && input.siteIds.some((id) => id !== key.siteId)) throw beyondItsSite('give an agent other sites');
    return this.team.createAgent({ ...input, siteIds: [key.siteId] }, publicUrl);
  }

  /** As in the console, the key's own agent cannot deactivate themselves or give up the admin role. */
  async updateAgent(key: ApiPrincipal, id: string, input: UpdateAgentRequest): Promise<AgentAdminDTO> {
    await this.reachAgent(key, id);
    if (key.siteId !== null && input.role === 'admin') throw beyondItsSite('make admins, who answer for every site');
    if (key.siteId !== null && input.siteIds !== undefined) throw beyondItsSite('change the sites an agent serves');
    return this.team.updateAgent(key.agentId, id, input);
  }

  async reinvite(key: ApiPrincipal, id: string, publicUrl: string): Promise<InviteResult> {
    await this.reachAgent(key, id);
    return this.team.reinvite(id, publicUrl);
  }

  private async admin(key: ApiPrincipal): Promise<void> {
    requireScope(key, 'admin');
    await requireAdminAgent(this.routing, key);
  }

  /** Another site's id answers NOT_FOUND, like one that does not exist. */
  private async reachSite(key: ApiPrincipal, id: string): Promise<void> {
    await this.admin(key);
    if (key.siteId !== null && key.siteId !== id) throw notFound('Site');
  }

  /** With a site key: agents who serve that site; admins, who serve every site, are beyond it. */
  private async reachAgent(key: ApiPrincipal, id: string): Promise<void> {
    await this.admin(key);
    if (key.siteId === null) return;
    const agent = (await this.team.listAgents()).find((a) => a.id === id);
    if (!agent || !this.reaches(key, agent) || agent.role === 'admin') throw notFound('Agent');
  }

  private reaches(key: ApiPrincipal, agent: AgentAdminDTO): boolean {
    return key.siteId === null || agent.siteIds === 'all' || agent.siteIds.includes(key.siteId);
  }
}
