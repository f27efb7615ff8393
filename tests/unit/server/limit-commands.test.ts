/** limitCommands over a stand-in socket: what a command is answered when the limiter refuses, or fails. */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io';
import { AppError } from '../../../server/app/errors.ts';
import type { Limits } from '../../../server/app/limits.ts';
import { limitCommands } from '../../../server/realtime/command.ts';

type Middleware = (packet: unknown[], next: () => void) => void;

/** Sends one command through the limit and resolves with its ack, or with 'ran' when it was let through. */
function setUp(take: Limits['take']) {
  let middleware: Middleware | undefined;
  const socket = { use: (fn: Middleware) => void (middleware = fn) } as unknown as Socket;
  limitCommands(socket, { take } as Limits, 'visitorCommand', () => 'visitor-1', pino({ level: 'silent' }));
  return (event: string) =>
    new Promise<unknown>((resolve) => middleware!([event, {}, (answer: unknown) => resolve(answer)], () => resolve('ran')));
}

describe('limitCommands', () => {
  it('lets a command through while the limit allows it', async () => {
    const send = setUp(() => Promise.resolve({ fresh: true }));
    expect(await send('message:send')).toBe('ran');
  });

  it('answers a refused command with the limit\'s refusal', async () => {
    const send = setUp(() => Promise.reject(new AppError('RATE_LIMITED', 'Slow down', 1500)));
    expect(await send('message:send')).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: 'Slow down', retryAfterMs: 1500 } });
  });

  it('answers UNAVAILABLE, not silence, when the limiter itself fails', async () => {
    const take = vi.fn(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')));
    const send = setUp(take);
    expect(await send('message:send')).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'The service is busy; try again' } });
    // A failing limiter is not the client's fault: the next command asks it again rather than being held off.
    expect(await send('typing')).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(take).toHaveBeenCalledTimes(2);
  });
});
