/**
 * Command tables: tsc checks each entry against the contract's event signature (the @ts-expect-error lines fail
 * the typecheck if a wrong schema, a wrong answer or a missing command were accepted), and mountCommands answers
 * every command with an Ack.
 */
import { EventEmitter } from 'node:events';
import pino from 'pino';
import type { Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../server/app/errors.ts';
import type { AckCallback } from '../../../server/contract/errors.ts';
import { InFlight, mountCommands, type CommandTable } from '../../../server/realtime/command.ts';

interface Events {
  'thing:get': (req: { id: string }, ack: AckCallback<{ name: string }>) => void;
  'thing:count': (req: { max?: number }, ack: AckCallback<number>) => void;
}
interface Context {
  who: string;
}

const thingRef = z.strictObject({ id: z.string().min(1) });
const countRequest = z.strictObject({ max: z.number().optional() });

const table: CommandTable<Events, Context> = {
  'thing:get': { schema: thingRef, run: async (req, { who }) => ({ name: `${who} asked for ${req.id}` }) },
  'thing:count': { schema: countRequest, run: async (req) => { if (req.max === 0) throw new AppError('NOT_FOUND', 'Nothing to count'); return 2; } },
};

const wrongAnswer: CommandTable<Events, Context> = {
  // @ts-expect-error the contract answers { name }, not a string
  'thing:get': { schema: thingRef, run: async (req) => req.id },
  'thing:count': table['thing:count'],
};

const wrongSchema: CommandTable<Events, Context> = {
  // @ts-expect-error the schema does not produce the contract's request
  'thing:get': { schema: countRequest, run: async () => ({ name: 'x' }) },
  'thing:count': table['thing:count'],
};

// @ts-expect-error 'thing:count' is missing
const missing: CommandTable<Events, Context> = { 'thing:get': table['thing:get'] };

/** Mounts the table on a bare emitter (what Socket#on is) and sends one packet as Socket.IO would. */
function mounted() {
  const socket = new EventEmitter();
  mountCommands(socket as unknown as Socket, table, { who: 'ada' }, { log: pino({ level: 'silent' }), inflight: new InFlight() });
  const send = (event: keyof Events, payload: unknown) => new Promise((resolve) => socket.emit(event, payload, resolve));
  return { socket, send };
}

describe('mountCommands', () => {
  it('registers every command of the table', () => {
    expect(mounted().socket.eventNames().sort()).toEqual(['thing:count', 'thing:get']);
  });

  it('runs a valid payload with the connection context and answers its data', async () => {
    expect(await mounted().send('thing:get', { id: 't1' })).toEqual({ ok: true, data: { name: 'ada asked for t1' } });
  });

  it('answers an invalid payload BAD_REQUEST naming where, and a failed use case with its code', async () => {
    const { send } = mounted();
    expect(await send('thing:get', { id: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^id: /) } });
    expect(await send('thing:count', { max: 0 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Nothing to count' } });
  });

  it('answers a handler that throws before returning its promise, as one that rejects', async () => {
    const socket = new EventEmitter();
    const throwing: CommandTable<Events, Context> = {
      'thing:get': { schema: thingRef, run: () => { throw new AppError('FORBIDDEN', 'Not yours'); } },
      'thing:count': table['thing:count'],
    };
    mountCommands(socket as unknown as Socket, throwing, { who: 'ada' }, { log: pino({ level: 'silent' }), inflight: new InFlight() });
    const answer = await new Promise((resolve) => socket.emit('thing:get', { id: 't1' }, resolve));
    expect(answer).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Not yours' } });
  });
});
