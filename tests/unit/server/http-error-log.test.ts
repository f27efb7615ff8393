/** An HTTP route answered 500 INTERNAL always leaves an error log line with the stack that explains it. */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../server/app/errors.ts';
import { errorHandler, route } from '../../../server/http/errors.ts';

interface LogLine {
  level: number;
  msg: string;
  event?: string;
  err?: { message: string; stack: string };
}

describe('the HTTP error handler', () => {
  const lines: LogLine[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as LogLine), done()) }));
  let server: ReturnType<express.Express['listen']>;
  let base = '';

  beforeAll(async () => {
    const app = express();
    app.get('/unexpected', route(async function failsUnexpectedly() {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    }));
    // What a follower throws when the routing leader answered a forwarded command INTERNAL.
    app.get('/leader-failed', route(async function forwardedToTheLeader() {
      throw new AppError('INTERNAL', 'Something went wrong; try again');
    }));
    app.get('/missing', route(async () => {
      throw new AppError('NOT_FOUND', 'Conversation not found');
    }));
    app.use(errorHandler(log));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const errorsFor = async (path: string) => {
    lines.length = 0;
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as unknown, errors: lines.filter((l) => l.level >= 50) };
  };

  it('logs an unexpected error with its stack and the route, and answers INTERNAL', async () => {
    const { status, body, errors } = await errorsFor('/unexpected');
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong; try again' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ event: 'GET /unexpected', err: { message: "Cannot read properties of undefined (reading 'id')" } });
    expect(errors[0]!.err!.stack).toContain('failsUnexpectedly');
  });

  it('logs an INTERNAL that arrived as an AppError (a forwarded command the leader failed) where it surfaced', async () => {
    const { status, errors } = await errorsFor('/leader-failed');
    expect(status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ event: 'GET /leader-failed' });
    expect(errors[0]!.err!.stack).toContain('forwardedToTheLeader');
  });

  it('does not log an expected refusal as an error', async () => {
    const { status, errors } = await errorsFor('/missing');
    expect(status).toBe(404);
    expect(errors).toHaveLength(0);
  });
});
