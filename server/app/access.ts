import type { AgentRecord } from './ports.ts';

/** Admins answer for every site; agents for the sites they are members of. */
export function servesSite(agent: AgentRecord, siteId: string): boolean {
  return agent.siteIds === 'all' || agent.siteIds.includes(siteId);
}
