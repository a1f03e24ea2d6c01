import type { Redis } from 'ioredis';

/**
 * Subscribes a pub/sub connection to `channel` once it is connected. The gateway's connections
 * queue no command while disconnected (`enableOfflineQueue: false`), and a fresh duplicate is not
 * connected yet: a subscribe sent at once would fail and never be retried. ioredis re-subscribes
 * by itself after a reconnection.
 */
export function subscribeWhenReady(subscriber: Redis, channel: string): void {
  const subscribe = (): void => void subscriber.subscribe(channel).catch(() => undefined);
  if (subscriber.status === 'ready') subscribe();
  else subscriber.once('ready', subscribe);
}
