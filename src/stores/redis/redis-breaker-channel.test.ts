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
      maxOpenMs: 30_000,
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

  it('subscribes on connections that queue no command while connecting, as the gateway’s do', async () => {
    const channel = `gatehouse-test-breakers-${Date.now()}-${Math.random()}`;
    const settings = {
      failureRate: 0.5,
      minimumRequests: 2,
      windowMs: 10_000,
      openMs: 5_000,
      maxOpenMs: 30_000,
      halfOpenProbes: 1,
    };
    const first = new Redis(redisUrl, { enableOfflineQueue: false });
    const second = new Redis(redisUrl, { enableOfflineQueue: false });
    clients.push(first, second);
    // The gateway builds its channels once its connection is up; their own duplicates are not yet.
    await Promise.all(
      [first, second].map((client) => new Promise((resolve) => client.once('ready', resolve))),
    );
    const firstChannel = createRedisBreakerChannel(first, channel);
    const secondChannel = createRedisBreakerChannel(second, channel);
    const replicaA = createCircuitBreakers(settings, firstChannel);
    const replicaB = createCircuitBreakers(settings, secondChannel);
    await new Promise((resolve) => setTimeout(resolve, 300));

    replicaA.record('openai/gpt-4o', false, false);
    replicaA.record('openai/gpt-4o', false, false);
    await expect.poll(() => replicaB.admit('openai/gpt-4o').admitted, { timeout: 2_000 }).toBe(false);
    await firstChannel.close();
    await secondChannel.close();
  });

  it('a re-open carries its grown open period and count to the other replica', async () => {
    const channel = `gatehouse-test-breakers-${Date.now()}-${Math.random()}`;
    const settings = {
      failureRate: 0.5,
      minimumRequests: 2,
      windowMs: 10_000,
      openMs: 1_000,
      maxOpenMs: 30_000,
      halfOpenProbes: 1,
    };
    let time = 1_000_000;
    const clock = () => time;
    const first = new Redis(redisUrl);
    const second = new Redis(redisUrl);
    clients.push(first, second);
    const firstChannel = createRedisBreakerChannel(first, channel);
    const secondChannel = createRedisBreakerChannel(second, channel);
    const replicaA = createCircuitBreakers(settings, firstChannel, clock);
    const replicaB = createCircuitBreakers(settings, secondChannel, clock);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const retryAtOf = (replica: typeof replicaA) =>
      replica.snapshot().find((entry) => entry.target === 'm')?.retryAt;

    replicaA.record('m', false, false);
    replicaA.record('m', false, false);
    await expect.poll(() => retryAtOf(replicaB), { timeout: 2_000 }).toBe(1_001_000);
    time = 1_001_000;
    expect(replicaA.admit('m')).toEqual({ admitted: true, probe: true });
    replicaA.record('m', false, true);
    await expect.poll(() => retryAtOf(replicaB), { timeout: 2_000 }).toBe(1_003_000);
    time = 1_003_000;
    expect(replicaB.admit('m')).toEqual({ admitted: true, probe: true });
    replicaB.record('m', false, true);
    expect(retryAtOf(replicaB)).toBe(1_006_000);
    await expect.poll(() => retryAtOf(replicaA), { timeout: 2_000 }).toBe(1_006_000);

    await firstChannel.close();
    await secondChannel.close();
  });
});
