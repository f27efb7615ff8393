/** Prisma's error for a unique constraint that refused a write (an idempotent retry, a lost race). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2002';
}
