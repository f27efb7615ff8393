import { AppError } from '../app/errors.ts';
import type { Store } from '../app/ports.ts';

/** The CLI names sites by their public key, as the snippet shows it. */
export async function siteByKey(sites: Store['sites'], key: string) {
  const site = await sites.findByKey(key);
  if (!site) throw new AppError('NOT_FOUND', `No site with key ${key}`);
  return site;
}
