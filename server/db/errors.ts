/**
 * Prisma's error for a unique constraint that refused a write (an idempotent retry, a lost race): P2002 from its
 * own queries, a failed raw query (P2010) whose driver error says so from raw ones (row-inserts.ts).
 */
export function isUniqueViolation(error: unknown): boolean {
  const { code, meta } = (error ?? {}) as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  return code === 'P2002' || (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation');
}
