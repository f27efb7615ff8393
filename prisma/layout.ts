// Where each provider's schema and migration history live.
import { join } from 'node:path';

export type Provider = 'sqlite' | 'postgresql';

export const layout: Record<Provider, { schema: string; migrations: string }> = {
  sqlite: { schema: join(import.meta.dirname, 'schema.prisma'), migrations: join(import.meta.dirname, 'migrations') },
  postgresql: {
    schema: join(import.meta.dirname, 'postgres', 'schema.prisma'),
    migrations: join(import.meta.dirname, 'postgres', 'migrations'),
  },
};

export const LOCKFILE = 'migration_lock.toml';
