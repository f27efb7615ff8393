/** First run on an empty database: an admin account and (unless DEMO=false) a demo site, so `npm start` is ready to use. */
import { randomBytes } from 'node:crypto';
import type { AdminService } from './admin.ts';
import type { Store } from './ports.ts';

export interface BootstrapResult {
  /** Set only when the admin was created with a generated password: shown once, never stored in clear. */
  generatedAdminPassword?: string;
  createdAdmin?: string;
  createdSiteKey?: string;
}

export async function bootstrap(
  store: Store,
  admin: AdminService,
  options: { adminEmail: string; adminPassword: string | undefined; demoOrigins: string[] | null },
): Promise<BootstrapResult> {
  const result: BootstrapResult = {};
  // No demo site when DEMO=false (null): a production install starts empty and creates its own sites.
  if (options.demoOrigins && (await store.sites.count()) === 0) {
    const site = await admin.createSite({ name: 'Demo site', origins: options.demoOrigins });
    result.createdSiteKey = site.publicKey;
  }
  if ((await store.agents.count()) === 0) {
    const password = options.adminPassword ?? randomBytes(12).toString('base64url');
    try {
      await admin.createAgent({ email: options.adminEmail, password, name: 'Admin', role: 'admin' });
    } catch (error) {
      // Several nodes starting together on one PostgreSQL database: another one created the admin first.
      if ((await store.agents.count()) > 0) return result;
      throw error;
    }
    result.createdAdmin = options.adminEmail;
    if (!options.adminPassword) result.generatedAdminPassword = password;
  }
  return result;
}
