/** The one way a payload that fails its schema is answered: BAD_REQUEST naming the first problem and where it is. */
import type { z } from 'zod';
import type { Ack } from '../contract/errors.ts';
import { AppError } from '../app/errors.ts';

export function validate<S extends z.ZodType>(schema: S, value: unknown): Ack<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: { code: 'BAD_REQUEST', message: `${where}${issue?.message ?? 'invalid input'}` } };
}

/** validate for code that answers through thrown AppErrors (HTTP routes). */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = validate(schema, value);
  if (result.ok) return result.data;
  throw new AppError(result.error.code, result.error.message);
}
