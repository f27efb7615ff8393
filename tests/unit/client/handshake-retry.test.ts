/** Refused handshakes: tried again after a growing pause when refused for now, never when refused for good. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiError, ErrorCode } from '../../../server/contract/errors.ts';
import { HANDSHAKE_RETRY_FIRST_MS, HANDSHAKE_RETRY_MAX_MS, HandshakeRetry } from '../../../client/handshake-retry.ts';

/** What socket.io-client's connect_error carries when a namespace middleware refuses: the server's ApiError as `data`. */
const refusal = (code: ErrorCode, retryAfterMs?: number) => Object.assign(new Error(code), { data: { code, message: code, retryAfterMs } satisfies ApiError });

/** A HandshakeRetry on a refused socket, whose jitter is `jitter` (0: half the backoff, 1: all of it), counting reconnects. */
function harness(jitter = 1) {
  const socket = { active: false, connect: vi.fn() };
  return { retry: new HandshakeRetry(socket as never, () => jitter), reconnect: socket.connect, socket };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('HandshakeRetry', () => {
  it.each(['INTERNAL', 'UNAVAILABLE', 'RATE_LIMITED'] as const)('reconnects after a refusal for now (%s)', (code) => {
    const { retry, reconnect } = harness();
    expect(retry.retryIfTransient(refusal(code))).toBe(true);
    vi.advanceTimersByTime(HANDSHAKE_RETRY_FIRST_MS - 1);
    expect(reconnect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reconnect).toHaveBeenCalledTimes(1);
  });

  it.each(['UNAUTHORIZED', 'ORIGIN_NOT_ALLOWED', 'FORBIDDEN', 'BAD_REQUEST'] as const)('leaves a refusal for good alone (%s)', (code) => {
    const { retry, reconnect } = harness();
    expect(retry.retryIfTransient(refusal(code))).toBe(false);
    vi.advanceTimersByTime(HANDSHAKE_RETRY_MAX_MS * 2);
    expect(reconnect).not.toHaveBeenCalled();
  });

  it('leaves an error without a typed refusal alone (not from our server)', () => {
    const { retry, reconnect } = harness();
    expect(retry.retryIfTransient(new Error('websocket error'))).toBe(false);
    vi.advanceTimersByTime(HANDSHAKE_RETRY_MAX_MS * 2);
    expect(reconnect).not.toHaveBeenCalled();
  });

  it('doubles the pause with each refusal in a row, up to the maximum, and starts over once connected', () => {
    const { retry } = harness();
    const pauses: number[] = [];
    const pauseOf = () => {
      const start = Date.now();
      retry.retryIfTransient(refusal('UNAVAILABLE'));
      vi.runOnlyPendingTimers();
      return Date.now() - start;
    };
    for (let i = 0; i < 7; i++) pauses.push(pauseOf());
    expect(pauses).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    retry.reset();
    expect(pauseOf()).toBe(HANDSHAKE_RETRY_FIRST_MS);
  });

  it('spreads clients over the second half of the pause', () => {
    const { retry, reconnect } = harness(0);
    retry.retryIfTransient(refusal('UNAVAILABLE'));
    vi.advanceTimersByTime(HANDSHAKE_RETRY_FIRST_MS / 2 - 1);
    expect(reconnect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reconnect).toHaveBeenCalledTimes(1);
  });

  it("waits at least as long as the server's retryAfterMs", () => {
    const { retry, reconnect } = harness();
    retry.retryIfTransient(refusal('RATE_LIMITED', 12_000));
    vi.advanceTimersByTime(11_999);
    expect(reconnect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reconnect).toHaveBeenCalledTimes(1);
  });

  it('does not connect a socket that something else connected meanwhile (a new token)', () => {
    const { retry, reconnect, socket } = harness();
    retry.retryIfTransient(refusal('UNAVAILABLE'));
    socket.active = true;
    vi.advanceTimersByTime(HANDSHAKE_RETRY_MAX_MS);
    expect(reconnect).not.toHaveBeenCalled();
  });

  it('keeps one reconnect pending, and none after reset (the client closed)', () => {
    const { retry, reconnect } = harness();
    retry.retryIfTransient(refusal('INTERNAL'));
    retry.retryIfTransient(refusal('INTERNAL'));
    vi.advanceTimersByTime(HANDSHAKE_RETRY_MAX_MS);
    expect(reconnect).toHaveBeenCalledTimes(1);
    retry.retryIfTransient(refusal('INTERNAL'));
    retry.reset();
    vi.advanceTimersByTime(HANDSHAKE_RETRY_MAX_MS);
    expect(reconnect).toHaveBeenCalledTimes(1);
  });
});
