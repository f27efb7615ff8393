/**
 * `cli site update --key SITE_KEY [--name NAME] [--origin ORIGIN ...] [--settings JSON] [--json]`: what the
 * console's site form changes, validated by the admin API's schema and applied by the same use case.
 */
import { updateSite } from '../app/admin.ts';
import { AppError } from '../app/errors.ts';
import type { Store } from '../app/ports.ts';
import { parse } from '../validation/parse.ts';
import { updateSite as updateSiteRequest } from '../validation/admin.ts';
import { siteByKey } from './site-by-key.ts';

export const SITE_UPDATE_USAGE = `  cli site update --key SITE_KEY [--name NAME] [--origin ORIGIN ...] [--settings JSON] [--json]
      --settings: widget settings to change, e.g. '{"emailAfterMinutes":1,"color":"#0f766e"}'`;

export interface SiteUpdateArgs {
  key?: string;
  name?: string;
  origin?: string[];
  settings?: string;
  json: boolean;
}

export async function siteUpdate(values: SiteUpdateArgs, store: Store): Promise<string> {
  if (!values.key) throw new AppError('BAD_REQUEST', `--key is required\n${SITE_UPDATE_USAGE}`);
  let settings: unknown;
  if (values.settings !== undefined) {
    try {
      settings = JSON.parse(values.settings);
    } catch {
      throw new AppError('BAD_REQUEST', '--settings must be a JSON object');
    }
  }
  const request = parse(updateSiteRequest, {
    ...(values.name !== undefined && { name: values.name }),
    ...(values.origin !== undefined && { allowedOrigins: values.origin }),
    ...(settings !== undefined && { widgetSettings: settings }),
  });
  const found = await siteByKey(store.sites, values.key);
  // This process holds no connections: consoles pick up a changed visibility when they next connect.
  const site = await updateSite(store, { siteVisibilityChanged: () => undefined }, found.id, request);
  const out = { key: site.publicKey, id: site.id, name: site.name, origins: site.allowedOrigins, widgetSettings: site.widgetSettings };
  return values.json ? JSON.stringify(out) : `Site "${site.name}" updated.`;
}
