import type { Redis } from 'ioredis';
import { isGrantId, type GrantRevocationChannel } from '../../governance/delegation/index.js';
import { subscribeWhenReady } from './redis-subscription.js';

/** Ids per message at most; a larger revocation is announced in several messages. */
const idsPerMessage = 1_000;

/**
 * Grant revocations announced to every replica through Redis pub/sub, as space-separated grant ids
 * (public, never tokens). Receivers check each announced id against the database before refusing
 * it, so a forged message changes nothing; messages lost while Redis is away are covered by the
 * revocation follower's polling. The subscriber is a duplicate connection.
 */
export function createRedisGrantChannel(
  client: Redis,
  channel: string,
): GrantRevocationChannel & { close(): Promise<void> } {
  const subscriber = client.duplicate();
  // The main connection reports Redis outages; the subscriber's errors only need swallowing.
  subscriber.on('error', () => undefined);
  const listeners: ((ids: readonly string[]) => void)[] = [];
  subscriber.on('message', (_channel: string, message: string) => {
    const ids = message.split(' ').filter(isGrantId).slice(0, idsPerMessage);
    if (ids.length === 0) return;
    for (const listener of listeners) listener(ids);
  });
  subscribeWhenReady(subscriber, channel);
  return {
    publish(ids) {
      for (let start = 0; start < ids.length; start += idsPerMessage) {
        const message = ids.slice(start, start + idsPerMessage).join(' ');
        client.publish(channel, message).catch(() => undefined);
      }
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async close() {
      subscriber.disconnect();
      await Promise.resolve();
    },
  };
}
