/** Refuses JSON bodies nested deeper than any API v1 request needs, before any schema walks them recursively. */
import type { RequestHandler } from 'express';
import { AppError } from '../../app/errors.ts';

export const MAX_BODY_DEPTH = 16;

/** Iterative, so a body nested 10,000 deep is measured without a deep stack. */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export const limitBodyDepth: RequestHandler = (req, _res, next) => {
  if (depthExceeds(req.body, MAX_BODY_DEPTH)) return next(new AppError('BAD_REQUEST', `JSON body nested deeper than ${MAX_BODY_DEPTH} levels`));
  next();
};
