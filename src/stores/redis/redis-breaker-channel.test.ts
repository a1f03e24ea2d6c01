import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCircuitBreakers } from '../../routing/index.js';
import { createRedisBreakerChannel } from './redis-breaker-channel.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('circuit breaker state shared through Redis', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('a breaker opened on one replica is open on the other, and closes on both', async () => {
    const channel = `gatehouse-test-breakers-${Date.now()}-${Math.random()}`;
    const settings = {
      failureRate: 0.5,
      minimumRequests: 2,
      windowMs: 10_000,
      openMs: 300,
      halfOpenProbes: 1,
    };
    const first = new Redis(redisUrl);
    const second = new Redis(redisUrl);
    clients.push(first, second);
    const firstChannel = createRedisBreakerChannel(first, channel);
    const secondChannel = createRedisBreakerChannel(second, channel);
    const replicaA = createCircuitBreakers(settings, firstChannel);
    const replicaB = createCircuitBreakers(settings, secondChannel);
    await new Promise((resolve) => setTimeout(resolve, 200));

    replicaA.record('openai/gpt-4o', false, false);
    replicaA.record('openai/gpt-4o', false, false);
    expect(replicaA.admit('openai/gpt-4o').admitted).toBe(false);
    await expect.poll(() => replicaB.admit('openai/gpt-4o').admitted, { timeout: 2_000 }).toBe(false);
    expect(replicaB.snapshot().find((entry) => entry.target === 'openai/gpt-4o')?.state).toBe('open');

    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = replicaA.admit('openai/gpt-4o');
    expect(probe).toEqual({ admitted: true, probe: true });
    replicaA.record('openai/gpt-4o', true, true);
    await expect
      .poll(() => replicaB.snapshot().find((entry) => entry.target === 'openai/gpt-4o')?.state, {
        timeout: 2_000,
      })
      .toBe('closed');

    await firstChannel.close();
    await secondChannel.close();
  });
});
