/**
 * The REST API's visitors and reports: the key's scope and site checked here, the work done by the use cases
 * the widget and the admin console call (VisitorService, TeamService). Reports are the admin console's, so, as
 * there, only a key acting as an admin reaches them. Sites and agents: api-team.ts.
 */
import type { Report } from '../contract/admin.ts';
import type { VisitorDTO } from '../contract/dto.ts';
import type { AttributePatch } from '../domain/visitor-profile.ts';
import { servesSite } from './access.ts';
import { actingAgent, requireAdminAgent, requireScope, type ApiPrincipal } from './api-keys.ts';
import { notFound } from './errors.ts';
import type { Store } from './ports.ts';
import type { Routing } from './routing-port.ts';
import type { ReportQuery, TeamService } from './team.ts';
import type { VisitorService } from './visitors.ts';

export class ApiDirectory {
  constructor(
    private readonly store: Store,
    private readonly routing: Routing,
    private readonly visitors: VisitorService,
    private readonly team: TeamService,
  ) {}

  async visitor(key: ApiPrincipal, id: string): Promise<VisitorDTO> {
    requireScope(key, 'visitors:read');
    return this.reachableVisitor(key, id);
  }

  /** Merges `attributes` (null removes one) under the same caps as the widget's updates. */
  async updateAttributes(key: ApiPrincipal, id: string, attributes: AttributePatch): Promise<VisitorDTO> {
    requireScope(key, 'visitors:write');
    const visitor = await this.reachableVisitor(key, id);
    return this.visitors.update({ visitorId: visitor.id, siteId: visitor.siteId }, { attributes });
  }

  async report(key: ApiPrincipal, query: ReportQuery): Promise<Report> {
    requireScope(key, 'reports:read');
    await requireAdminAgent(this.routing, key);
    if (key.siteId !== null && query.siteId !== undefined && query.siteId !== key.siteId) throw notFound('Site');
    return this.team.report({ ...query, ...(key.siteId !== null && { siteId: key.siteId }) });
  }

  /** A visitor of another site, or of one the key's agent does not serve, answers NOT_FOUND. */
  private async reachableVisitor(key: ApiPrincipal, id: string): Promise<VisitorDTO> {
    const [visitor, agent] = await Promise.all([this.store.visitors.findById(id), actingAgent(this.routing, key)]);
    const reachable = visitor && (key.siteId === null || visitor.siteId === key.siteId) && servesSite(agent, visitor.siteId);
    if (!visitor || !reachable) throw notFound('Visitor');
    return visitor;
  }
}
