import { randomBytes, randomUUID } from 'node:crypto';

export type IdGenerator = () => string;

export const newId: IdGenerator = () => randomUUID();

/** Public site key pasted into snippets: unguessable, URL-safe. */
export const newSiteKey = () => `site_${randomBytes(12).toString('base64url')}`;

export const newSecret = () => randomBytes(32).toString('base64url');
