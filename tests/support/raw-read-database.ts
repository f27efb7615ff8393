/**
 * Tests of the raw PostgreSQL reads beside Prisma's answers: a throwaway database, migrated, with site s1, the
 * store on it, and the test's rows. Skipped with the describe block when PostgreSQL is away.
 */
import { newId } from '../../server/app/ids.ts';
import type { Store } from '../../server/app/ports.ts';
import type { Database } from '../../server/db/client.ts';
import { createStore } from '../../server/db/store.ts';
import { useMigratedDatabase } from './migrated-database.ts';
import { postgresAvailable, throwawayDatabase } from './postgres.ts';

export type PostgresDatabase = Extract<Database, { provider: 'postgresql' }>;

/** Where the store says an attachment is fetched from. */
export const attachmentUrl = (id: string) => `/files/${id}`;

/** A minute of one morning, milliseconds included: the rows' times. */
export const at = (minute: number) => new Date(`2026-12-06T10:${String(minute).padStart(2, '0')}:00.123Z`);

/** For a describe block: the database and its store, once `seed` has written the block's rows. */
export function useRawReadDatabase(seed: (database: PostgresDatabase) => Promise<void>): { database(): PostgresDatabase; store(): Store } {
  let database: PostgresDatabase | undefined;
  let store: Store | undefined;
  useMigratedDatabase(postgresAvailable, throwawayDatabase, async (opened) => {
    if (opened.provider !== 'postgresql') throw new Error('the raw reads need PostgreSQL');
    database = opened;
    store = createStore(opened, newId, { attachmentUrl });
    await seed(opened);
  });
  return { database: () => database!, store: () => store! };
}
