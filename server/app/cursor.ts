/**
 * Opaque pagination cursors: base64url JSON of the position, then an HMAC-SHA256 of it with the server's secret,
 * so a cursor altered or made up by a client is a BAD_REQUEST rather than a query over what it chose.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';
import type { UpdatedPosition } from './ports.ts';

const INVALID = 'cursor: not a cursor this server handed out';

export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(position: Required<UpdatedPosition>): string {
    const payload = Buffer.from(JSON.stringify([position.updatedAt.getTime(), position.id])).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string): Required<UpdatedPosition> {
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined) throw new AppError('BAD_REQUEST', INVALID);
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AppError('BAD_REQUEST', INVALID);
    const [time, id] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [number, string];
    return { updatedAt: new Date(time), id };
  }

  private sign(payload: string): string {
    // A purpose of its own, so no other signature made with the secret can pass for a cursor's.
    return createHmac('sha256', this.secret).update(`cursor:${payload}`).digest('base64url');
  }
}
