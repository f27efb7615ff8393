/**
 * Requests that only the routing leader answers, over Redis PUB/SUB. Socket.IO's serverSideEmitWithAck would ask
 * every node and resolve only when all had answered (after a round trip to count them), so each routing command
 * from a follower waited for the busiest node's event loop, and every node decoded every request. Here only the
 * leader subscribes to the request channel while it leads, and the answer goes to the asking node's own channel.
 * A request that reached no subscriber means there is no leader at the moment (a failover): the caller hears so
 * at once and may try again. Socket.IO's adapter offers no addressed request, hence this small line.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../app/logger.ts';

/** How long an asking node waits for the leader's answer before treating the leader as gone (its process died). */
export const LEADER_ANSWER_TIMEOUT_MS = 5_000;

export interface LeaderRequests<Req, Res> {
  /** The leader's answer; undefined when no leader heard the request or none answered in time: ask again later. */
  ask(request: Req): Promise<Res | undefined>;
  /** This node starts answering requests with the handler (it became leader), or stops (undefined). */
  serve(handler: ((request: Req) => Promise<Res>) | undefined): Promise<void>;
  close(): void;
}

interface Envelope<T> {
  id: string;
  /** The asking node's answer channel. */
  replyTo: string;
  body: T;
}

interface Pending<Res> {
  resolve(answer: Res | undefined): void;
  timer: NodeJS.Timeout;
}

/** `redis` publishes (shared with the rest of the node); a duplicate connection subscribes, as Redis requires. */
export function leaderRequests<Req, Res>(redis: Redis, channelPrefix: string, log: Logger, answerTimeoutMs = LEADER_ANSWER_TIMEOUT_MS): LeaderRequests<Req, Res> {
  const requestChannel = `${channelPrefix}:leader`;
  const answerChannel = `${channelPrefix}:answer:${randomUUID()}`;
  const pending = new Map<string, Pending<Res>>();
  let handler: ((request: Req) => Promise<Res>) | undefined;
  const subscriber = redis.duplicate();
  subscriber.on('error', (err) => log.warn({ err }, 'redis error (routing requests)'));

  /** Answers a waiting ask once, whichever comes first: the leader's answer, the timeout, or no leader at all. */
  const finish = (id: string, answer: Res | undefined) => {
    const waiting = pending.get(id);
    if (!waiting) return; // already settled (an answer after the timeout): the caller has moved on
    pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(answer);
  };
  const answer = async ({ id, replyTo, body }: Envelope<Req>, serve: (request: Req) => Promise<Res>) => {
    const response = await serve(body);
    await redis.publish(replyTo, JSON.stringify({ id, replyTo, body: response } satisfies Envelope<Res>));
  };
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel === requestChannel) {
      if (handler) void answer(JSON.parse(raw) as Envelope<Req>, handler).catch((err) => log.warn({ err }, 'could not answer a routing request'));
      return;
    }
    const { id, body } = JSON.parse(raw) as Envelope<Res>;
    finish(id, body);
  });
  // Should this fail (Redis away at start), ioredis subscribes again when it reconnects; asks meanwhile time out.
  const listening = subscriber.subscribe(answerChannel).catch((err) => log.warn({ err }, 'could not subscribe to routing answers yet'));

  return {
    async ask(request) {
      await listening;
      const id = randomUUID();
      const heard = new Promise<Res | undefined>((resolve) => {
        pending.set(id, { resolve, timer: setTimeout(() => finish(id, undefined), answerTimeoutMs) });
      });
      const listeners = await redis.publish(requestChannel, JSON.stringify({ id, replyTo: answerChannel, body: request } satisfies Envelope<Req>)).catch(() => 0);
      if (listeners === 0) finish(id, undefined);
      return heard;
    },
    async serve(next) {
      const wasServing = handler !== undefined;
      handler = next;
      if (next && !wasServing) await subscriber.subscribe(requestChannel);
      if (!next && wasServing) await subscriber.unsubscribe(requestChannel);
    },
    close() {
      for (const id of [...pending.keys()]) finish(id, undefined);
      subscriber.disconnect();
    },
  };
}
