/** PostgreSQL's SQLSTATE for a unique violation, as the `pg` driver reports it (pg-starts.ts). */
const PG_UNIQUE_VIOLATION = '23505';

/**
 * Prisma's error for a unique constraint that refused a write (an idempotent retry, a lost race): P2002 from its
 * own queries, a failed raw query (P2010) whose driver error says so from raw ones (row-inserts.ts), or the `pg`
 * driver's own error.
 */
export function isUniqueViolation(error: unknown): boolean {
  const { code, meta } = (error ?? {}) as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  return code === 'P2002' || (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation') || code === PG_UNIQUE_VIOLATION;
}
