/** How toApiError answers database failures: transient ones tell the client to retry (UNAVAILABLE), not INTERNAL. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PrismaClientKnownRequestError } from '../../../server/db/generated/sqlite/internal/prismaNamespace.ts';
import { toApiError } from '../../../server/realtime/command.ts';

const log = pino({ level: 'silent' });
const prismaError = (code: string, message: string) => new PrismaClientKnownRequestError(message, { code, clientVersion: 'test' });

describe('toApiError', () => {
  it('answers UNAVAILABLE when a transaction could not start in time (every pooled connection busy in a burst)', () => {
    const error = prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.');
    expect(toApiError(log, 'message:send', error)).toEqual({ code: 'UNAVAILABLE', message: 'The database is busy; try again' });
  });

  it('answers UNAVAILABLE when another cluster node did not answer the adapter in time (presence read across nodes)', () => {
    // The text socket.io-adapter rejects fetchSockets with when a node stays silent past its request timeout.
    const error = new Error('timeout reached: only 1 responses received out of 2');
    expect(toApiError(log, 'routing:presenceChanged', error)).toEqual({ code: 'UNAVAILABLE', message: 'A server of the cluster did not answer in time; try again' });
  });

  it('still answers INTERNAL for a failure that retrying cannot cure', () => {
    expect(toApiError(log, 'message:send', prismaError('P2003', 'Foreign key constraint violated'))).toMatchObject({ code: 'INTERNAL' });
  });
});
