import type { Redis } from 'ioredis';
import type { PolicyChangeChannel } from '../../governance/policies/index.js';
import { subscribeWhenReady } from './redis-subscription.js';

/**
 * Policy changes announced to every replica through Redis pub/sub, so each swaps its snapshot as
 * soon as another stores a version. The message is only the version number (receivers read the
 * text from the database), so a forged message can at worst cause a needless read. The subscriber
 * is a duplicate connection (a subscribed connection issues no other commands). Messages lost
 * while Redis is away are covered by the holder's backstop polling.
 */
export function createRedisPolicyChannel(
  client: Redis,
  channel: string,
): PolicyChangeChannel & { close(): Promise<void> } {
  const subscriber = client.duplicate();
  // The main connection reports Redis outages; the subscriber's errors only need swallowing.
  subscriber.on('error', () => undefined);
  const listeners: ((version: number) => void)[] = [];
  subscriber.on('message', (_channel: string, message: string) => {
    const version = Number(message);
    if (!Number.isSafeInteger(version) || version < 1) return;
    for (const listener of listeners) listener(version);
  });
  subscribeWhenReady(subscriber, channel);
  return {
    publish(version) {
      client.publish(channel, String(version)).catch(() => undefined);
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
