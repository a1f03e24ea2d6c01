import type { Redis } from 'ioredis';
import type { BreakerChannel, BreakerTransition } from '../../routing/index.js';
import { subscribeWhenReady } from './redis-subscription.js';

/**
 * Circuit-breaker transitions shared by every replica through Redis pub/sub: the replica that sees
 * a target fail opens its breaker and publishes it, and the others follow at once. Pub/sub needs a
 * connection of its own (a subscribed connection can issue no other commands), so the subscriber
 * is a duplicate of the given client. Messages lost during a Redis outage only mean each replica
 * judges targets by its own traffic until Redis returns.
 */
export function createRedisBreakerChannel(
  client: Redis,
  channel: string,
): BreakerChannel & { close(): Promise<void> } {
  const subscriber = client.duplicate();
  // The main connection reports Redis outages; the subscriber's own errors only need swallowing
  // (an 'error' event without a listener would be reported as unhandled).
  subscriber.on('error', () => undefined);
  const listeners: ((transition: BreakerTransition) => void)[] = [];
  /** Our own messages come back to us; each replica tags what it publishes. */
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  subscriber.on('message', (_channel: string, message: string) => {
    const parsed = parseTransition(message);
    if (parsed === undefined || parsed.origin === origin) return;
    for (const listener of listeners) listener(parsed.transition);
  });
  subscribeWhenReady(subscriber, channel);
  return {
    publish(transition) {
      client.publish(channel, JSON.stringify({ origin, ...transition })).catch(() => undefined);
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

function parseTransition(message: string): { origin: string; transition: BreakerTransition } | undefined {
  try {
    const value = JSON.parse(message) as {
      origin?: unknown;
      target?: unknown;
      state?: unknown;
      retryAt?: unknown;
      opens?: unknown;
    };
    if (typeof value.origin !== 'string' || typeof value.target !== 'string') return undefined;
    if (value.state !== 'open' && value.state !== 'closed') return undefined;
    const transition: BreakerTransition =
      value.state === 'open' && typeof value.retryAt === 'number'
        ? {
            target: value.target,
            state: 'open',
            retryAt: value.retryAt,
            ...(typeof value.opens === 'number' && Number.isInteger(value.opens) && value.opens > 0
              ? { opens: value.opens }
              : {}),
          }
        : { target: value.target, state: value.state };
    return { origin: value.origin, transition };
  } catch {
    return undefined;
  }
}
