/**
 * The Socket.IO stream adapter sends some messages over Redis PUB/SUB (serverSideEmit, fetchSockets' requests,
 * broadcasts that want acknowledgements) and drops the promise of that PUBLISH. When Redis cannot take it (down, or
 * the client closed while a node stops), the rejection went unhandled, and an unhandled rejection ends a Node
 * process: a Redis outage during an agent's status change, or a push job finishing while the node stops, would do it.
 * This hands every PUBLISH's failure to `failed`, which marks it handled; a caller that awaits its PUBLISH (routing's
 * requests to the leader) still gets the rejection. Written here because the adapter has no option for it.
 */
import type { Redis } from 'ioredis';

export function reportingUnawaitedPublishes(redis: Pick<Redis, 'publish'>, failed: (err: unknown) => void): void {
  const publish = redis.publish.bind(redis) as (channel: string, message: string | Buffer) => Promise<number>;
  redis.publish = ((channel: string, message: string | Buffer) => {
    const sent = publish(channel, message);
    sent.catch(failed);
    return sent;
  }) as Redis['publish'];
}
