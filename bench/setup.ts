/**
 * Sites and agents for a run, made through Parley's admin API as the admin the server creates on its first
 * start (the CLI would do too, but costs a process start per agent and cannot run beside a live server).
 */
import type { SiteAdminDTO, CreateAgentRequest, CreateSiteRequest } from '../server/contract/admin.ts';
import type { AgentSession } from '../server/contract/http.ts';
import { postJson } from './http.ts';

/** Given to the server as ADMIN_EMAIL / ADMIN_PASSWORD. */
export const ADMIN = { email: 'admin@bench.test', password: 'bench-admin-password' };

export interface Credentials {
  email: string;
  password: string;
}

export interface Site {
  id: string;
  key: string;
  /** The Origin the bench's visitors send (the first allowed origin). */
  origin: string;
}

export class Admin {
  private constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  static async login(url: string): Promise<Admin> {
    const session = await postJson<AgentSession>(`${url}/api/auth/login`, ADMIN);
    return new Admin(url, session.accessToken);
  }

  async createSite(name: string, origins: string[]): Promise<Site> {
    const site = await this.post<SiteAdminDTO>('sites', { name, allowedOrigins: origins } satisfies CreateSiteRequest);
    return { id: site.id, key: site.publicKey, origin: origins[0]! };
  }

  /** `count` agents who answer `site` only; `prefix` keeps their emails apart from other sites' agents in the same database. */
  async createAgents(site: Site, count: number, capacity: number, prefix = 'agent'): Promise<Credentials[]> {
    const agents = Array.from({ length: count }, (_, i) => ({ email: `${prefix}${i}@bench.test`, password: `bench-${prefix}-${i}-password` }));
    for (const [i, { email, password }] of agents.entries()) {
      await this.post('agents', { email, password, name: `Agent ${i}`, role: 'agent', capacity, siteIds: [site.id] } satisfies CreateAgentRequest);
    }
    return agents;
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return postJson<T>(`${this.url}/api/admin/${path}`, body, { authorization: `Bearer ${this.token}` });
  }
}
