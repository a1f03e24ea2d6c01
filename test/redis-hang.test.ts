import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheGatewayConfig,
  gptModel,
  sdkClients,
  startCountingMock,
  waitFor,
  type CountingMock,
  type SdkClients,
} from './support/cache-fixture.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.js';

/**
 * A Redis that hangs (accepts connections, never answers): a private redis-server stopped with
 * SIGSTOP, not killed, so the gateway's connection stays open and its commands simply get no reply.
 * Cacheable requests must still be answered promptly: every Redis command on the request path is
 * bounded by the same short deadline as the limiter's (about 0.5 s), a lookup that times out is a
 * miss and a write that times out is dropped.
 */

const runId = randomUUID().slice(0, 8);
let redis: PrivateRedis;
let mock: CountingMock;
let gateway: TestGateway;
let clients: SdkClients;

beforeAll(async () => {
  redis = await startPrivateRedis();
  mock = await startCountingMock();
  gateway = await startTestGateway(
    cacheGatewayConfig(mock.url, { redis_url: redis.url, redis_key_prefix: `gatehouse-test:hang:${runId}:` }),
  );
  clients = sdkClients(gateway.url, gateway.masterKey);
  await waitFor(
    () => (gateway.logRecords().some((record) => record.msg === 'Redis connected') ? true : undefined),
    'the Redis connection',
  );
});

afterAll(async () => {
  redis.resume();
  await gateway.close();
  await mock.close();
  await redis.close();
});

function cacheable(text: string) {
  return { model: gptModel, temperature: 0, messages: [{ role: 'user' as const, content: text }] };
}

describe('a Redis that accepts connections and never answers', () => {
  it('costs a cacheable request well under the client timeouts: the lookup misses and the write is dropped', async () => {
    await clients.openai.chat.completions.create(cacheable(`warm up ${runId}`));
    expect(clients.last()).toMatchObject({ status: 200, cache: 'miss' });

    redis.pause();
    try {
      for (const label of ['first', 'second']) {
        const started = performance.now();
        const answer = await clients.openai.chat.completions.create(
          cacheable(`${label} while hung ${runId}`),
        );
        const elapsed = performance.now() - started;
        expect(answer.choices[0]?.message.content).toBeTruthy();
        expect(clients.last()).toMatchObject({ status: 200, cache: 'miss' });
        // The deadline is 0.5 s; the unbounded command waited for the client's 2 s backstop.
        expect(elapsed).toBeLessThan(1_500);
      }
    } finally {
      redis.resume();
    }
    expect(
      gateway.logRecords().some((record) => record.msg === 'L2 cache unavailable; serving from L1 only'),
    ).toBe(true);
  }, 30_000);
});
