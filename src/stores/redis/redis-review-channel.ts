import type { Redis } from 'ioredis';
import {
  createListenerSet,
  createReadyLatch,
  type ReviewWakeChannel,
} from '../../governance/review/index.js';

/**
 * Review resolutions announced to every replica (and from `gatehouse review`) through Redis
 * pub/sub. The message is only the item's id; receivers read the item from the database, so a
 * forged message can at worst cause a needless read. The subscriber is a duplicate connection (a
 * subscribed connection issues no other commands) that ioredis re-subscribes after a reconnection;
 * messages lost while Redis is away are covered by the waiters' backstop reads.
 */
export function createRedisWakeChannel(
  client: Redis,
  channel: string,
): ReviewWakeChannel & { ready(timeoutMs: number): Promise<boolean>; close(): Promise<void> } {
  const subscriber = client.duplicate();
  // The main connection reports Redis outages; the subscriber's errors only need swallowing.
  subscriber.on('error', () => undefined);
  const listeners = createListenerSet();
  const latch = createReadyLatch();
  subscriber.on('message', (received: string, message: string) => {
    if (received === channel) listeners.deliver(message);
  });
  // A fresh duplicate is not connected yet, and the gateway's connections queue no command while
  // disconnected: subscribe once it is ready.
  const subscribe = (): void =>
    void subscriber.subscribe(channel).then(
      () => latch.open(),
      () => undefined,
    );
  if (subscriber.status === 'ready') subscribe();
  else subscriber.once('ready', subscribe);
  return {
    async publish(id) {
      await client.publish(channel, id);
    },
    subscribe: listeners.subscribe,
    ready: (timeoutMs) => latch.wait(timeoutMs),
    async close() {
      subscriber.disconnect();
      await Promise.resolve();
    },
  };
}
