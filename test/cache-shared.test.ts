import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Message, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText } from '../src/providers/mock/index.js';
import {
  admin,
  cacheGatewayConfig,
  claudeModel,
  createKey,
  gptModel,
  sdkClients,
  startCountingMock,
  startTcpProxy,
  upstreamClaudeModel,
  upstreamGptModel,
  waitFor,
  type CountingMock,
  type SdkClients,
  type TcpProxy,
} from './support/cache-fixture.js';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * The shared layers of the response cache on real infrastructure: L2 in a real Redis shared by
 * two gateway processes, a Redis outage (through a TCP proxy the test cuts), and the semantic cache
 * with the mock provider's deterministic embeddings, indexed in process and in a real Postgres.
 * Redis and Postgres being unreachable is a failure, never a skip.
 */

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const runId = randomUUID();
const maxTokens = 256;

let mock: CountingMock;
/** Redis key prefixes used by this file, removed at the end. */
const prefixes: string[] = [];

function uniquePrefix(label: string): string {
  const prefix = `gatehouse-test:cache-${label}:${runId}:`;
  prefixes.push(prefix);
  return prefix;
}

beforeAll(async () => {
  mock = await startCountingMock();
});

afterAll(async () => {
  await mock.close();
  const redis = new Redis(redisUrl.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
});

let promptCount = 0;
function prompt(label: string): string {
  promptCount += 1;
  return `${label} (${runId.slice(0, 8)} #${promptCount})`;
}

function textBlocks(message: Message): string[] {
  return message.content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`));
}

function openaiRequest(text: string): ChatCompletionCreateParamsNonStreaming {
  return { model: gptModel, temperature: 0, messages: [{ role: 'user', content: text }] };
}

/** `temperature: 0` (which this SDK's types no longer list), so that the answer may be cached. */
function anthropicRequest(text: string): MessageCreateParamsNonStreaming {
  const params: MessageCreateParamsNonStreaming = {
    model: claudeModel,
    max_tokens: maxTokens,
    messages: [{ role: 'user', content: text }],
  };
  return Object.assign(params, { temperature: 0 });
}

interface CacheStatistics {
  readonly l1?: { readonly entries: number; readonly hits: number; readonly misses: number };
  readonly l2?: {
    readonly available: boolean;
    readonly entries: number | null;
    readonly hits: number;
    readonly misses: number;
    readonly errors: number;
  };
  readonly semantic?: {
    readonly entries: number | null;
    readonly hits: number;
    readonly misses: number;
    readonly errors: number;
  };
}

async function cacheStatistics(url: string, masterKey: string): Promise<CacheStatistics> {
  const response = await admin(url, masterKey, 'GET', '/admin/cache');
  expect(response.status).toBe(200);
  return response.body;
}

describe('L2 in Redis, shared by two gateway processes', () => {
  let first: CliProcess & { readonly url: string };
  let second: CliProcess & { readonly url: string };
  let a: SdkClients;
  let b: SdkClients;

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'gatehouse-cache-shared-'));
    const configPath = join(directory, 'gatehouse.yaml');
    const { data_dir: _perProcess, ...config } = cacheGatewayConfig(mock.url, {
      redis_url: redisUrl.toString(),
      redis_key_prefix: uniquePrefix('l2'),
      log: { level: 'info', format: 'json' },
    });
    // YAML is a superset of JSON.
    writeFileSync(configPath, JSON.stringify(config));
    [first, second] = await Promise.all([
      startCliGateway({ args: ['--config', configPath] }),
      startCliGateway({ args: ['--config', configPath] }),
    ]);
    // Requests before the Redis connection is up would find L2 unavailable for a second.
    await Promise.all(
      [first, second].map((process) => process.waitForLog((record) => record.msg === 'Redis connected')),
    );
    a = sdkClients(first.url, testMasterKey);
    b = sdkClients(second.url, testMasterKey);
  }, 60_000);

  afterAll(async () => {
    for (const process of [first, second]) {
      if (process === undefined) continue;
      process.child.kill('SIGTERM');
      const exited = await Promise.race([
        process.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      if (!exited) process.kill();
    }
  }, 30_000);

  /** Waits until the first gateway's L2 holds `count` entries: its Redis write follows its answer. */
  async function l2Entries(count: number): Promise<void> {
    await waitFor(async () => {
      const statistics = await cacheStatistics(first.url, testMasterKey);
      return (statistics.l2?.entries ?? 0) >= count ? true : undefined;
    }, `${count} entries in L2`);
  }

  it('a miss on one process is a hit on the other, in both dialects, streaming or not', async () => {
    const before = mock.chatCalls();
    const start = await cacheStatistics(first.url, testMasterKey);
    const startEntries = start.l2?.entries ?? 0;
    expect(start.l2?.available).toBe(true);

    const question = openaiRequest(prompt('Which ocean is the deepest?'));
    const answered = await a.openai.chat.completions.create(question);
    expect(a.last()).toMatchObject({ status: 200, cache: 'miss' });
    await l2Entries(startEntries + 1);
    const shared = await b.openai.chat.completions.create(question);
    expect(b.last()).toMatchObject({ status: 200, cache: 'hit', attempts: '0' });
    expect(shared.choices[0]!.message.content).toBe(answered.choices[0]!.message.content);
    expect(shared.usage?.total_tokens).toBe(answered.usage?.total_tokens);
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);

    // A stream recorded on the first process is replayed as a stream (and as JSON) by the second.
    const message = anthropicRequest(prompt('Which desert is the largest?'));
    const streamed = await a.anthropic.messages.stream(message).finalMessage();
    expect(a.last().cache).toBe('miss');
    await l2Entries(startEntries + 2);
    const replayed = await b.anthropic.messages.stream(message).finalMessage();
    expect(b.last()).toMatchObject({ status: 200, cache: 'hit' });
    expect(textBlocks(replayed)).toEqual(textBlocks(streamed));
    expect(textBlocks(replayed)[0]).toMatch(/^Mock answer to: Which desert/);
    expect(replayed.stop_reason).toBe(streamed.stop_reason);
    expect(replayed.usage.output_tokens).toBe(streamed.usage.output_tokens);
    expect(replayed.usage.input_tokens).toBe(streamed.usage.input_tokens);
    const json = await b.anthropic.messages.create(message);
    expect(b.last().cache).toBe('hit');
    expect(textBlocks(json)).toEqual(textBlocks(streamed));
    expect(mock.chatCalls()).toBe(before + 2);
    expect(mock.chatCalls(upstreamClaudeModel)).toBeGreaterThanOrEqual(1);

    const statistics = await cacheStatistics(second.url, testMasterKey);
    expect(statistics.l2).toMatchObject({ available: true, errors: 0 });
    expect(statistics.l2!.hits).toBe(2);
    expect(statistics.l2!.entries).toBeGreaterThanOrEqual(startEntries + 2);
    // The L2 hits filled the second process's L1: the JSON request above was an L1 hit.
    expect(statistics.l1!.hits).toBe(1);
  });

  it('a purge on one process empties L2 for both', async () => {
    const question = openaiRequest(prompt('Which mountain is the tallest?'));
    await a.openai.chat.completions.create(question);
    expect(a.last().cache).toBe('miss');
    const purged = await admin(first.url, testMasterKey, 'DELETE', `/admin/cache?model=${gptModel}`);
    expect(purged.status).toBe(200);
    expect((purged.body.purged as { l2: number }).l2).toBeGreaterThanOrEqual(1);
    await b.openai.chat.completions.create(question);
    expect(b.last().cache).toBe('miss');
  });
});

describe('a Redis outage', () => {
  let proxy: TcpProxy;
  let gateway: TestGateway;
  let clients: SdkClients;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    gateway = await startTestGateway(
      cacheGatewayConfig(mock.url, { redis_url: proxy.url, redis_key_prefix: uniquePrefix('outage') }),
    );
    clients = sdkClients(gateway.url, gateway.masterKey);
    // The gateway listens before its Redis connection is up; L2 is tried from then on.
    await waitFor(() => (logged('Redis connected') > 0 ? true : undefined), 'the Redis connection');
  });

  afterAll(async () => {
    await gateway.close();
    await proxy.close();
  });

  function logged(message: string): number {
    return gateway.logRecords().filter((record) => record.msg === message).length;
  }

  it('falls back to L1 without failing a request, and L2 comes back by itself', async () => {
    const cached = openaiRequest(prompt('What is the speed of light?'));
    await clients.openai.chat.completions.create(cached);
    expect(clients.last().cache).toBe('miss');
    await waitFor(async () => {
      const statistics = await cacheStatistics(gateway.url, gateway.masterKey);
      return (statistics.l2?.entries ?? 0) >= 1 ? true : undefined;
    }, 'the answer in L2');

    await proxy.cut();
    const before = mock.chatCalls();
    const timed = async <T>(call: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await call();
      // Redis commands fail at once or time out after 500 ms: an outage costs a request little.
      expect(performance.now() - started).toBeLessThan(2_000);
      return result;
    };
    // An entry already in L1 is still served.
    await timed(() => clients.openai.chat.completions.create(cached));
    expect(clients.last()).toMatchObject({ status: 200, cache: 'hit' });
    // New answers are stored in L1 alone and served from it, in both dialects, streaming or not.
    const fresh = openaiRequest(prompt('What is the speed of sound?'));
    for (const expected of ['miss', 'hit', 'hit']) {
      await timed(() => clients.openai.chat.completions.create(fresh));
      expect(clients.last()).toMatchObject({ status: 200, cache: expected });
    }
    const message = anthropicRequest(prompt('What is the speed of a cheetah?'));
    const streamed = await timed(() => clients.anthropic.messages.stream(message).finalMessage());
    expect(clients.last()).toMatchObject({ status: 200, cache: 'miss' });
    const replayed = await timed(() => clients.anthropic.messages.stream(message).finalMessage());
    expect(clients.last()).toMatchObject({ status: 200, cache: 'hit' });
    expect(textBlocks(replayed)).toEqual(textBlocks(streamed));
    expect(mock.chatCalls()).toBe(before + 2);

    const during = await cacheStatistics(gateway.url, gateway.masterKey);
    expect(during.l2!.errors).toBeGreaterThanOrEqual(1);
    expect(logged('L2 cache unavailable; serving from L1 only')).toBe(1);
    expect(
      gateway.logRecords().filter((record) => record.level === 'error' || record.level === 'fatal'),
    ).toEqual([]);

    // Redis is back: within a few seconds a new answer reaches L2 again.
    await proxy.restore();
    await waitFor(
      async () => {
        await clients.openai.chat.completions.create(openaiRequest(prompt('Is Redis back?')));
        expect(clients.last().status).toBe(200);
        const statistics = await cacheStatistics(gateway.url, gateway.masterKey);
        return statistics.l2?.available === true && (statistics.l2.entries ?? 0) >= 2 ? true : undefined;
      },
      'L2 to recover',
      15_000,
    );
    expect(logged('L2 cache available again')).toBe(1);
  }, 30_000);
});

/**
 * The mock's embeddings hash character trigrams, so rephrasings of one question are close and a
 * question about something else is not. The similarities are measured here, with the mock's own
 * function, and the threshold is set between them.
 */
const basePrompt = 'What is the capital city of France?';
const nearPrompt = "What's the capital city of France?";
const farPrompt = 'What is the capital city of Germany?';

function similarity(left: string, right: string): number {
  const a = embedText(left, 256);
  const b = embedText(right, 256);
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] ?? 0) * (b[index] ?? 0);
  return sum;
}

const nearSimilarity = similarity(basePrompt, nearPrompt);
const farSimilarity = similarity(basePrompt, farPrompt);
const threshold = Math.round(((nearSimilarity + farSimilarity) / 2) * 1_000) / 1_000;

describe('the measured similarities', () => {
  it('leave room for a threshold between the near and the far prompt', () => {
    expect(nearSimilarity).toBeGreaterThan(threshold + 0.05);
    expect(farSimilarity).toBeLessThan(threshold - 0.05);
    expect(similarity(basePrompt, basePrompt)).toBeCloseTo(1, 5);
  });
});

const postgresSchema = `gh_cache_test_${randomBytes(4).toString('hex')}`;

/** One statement on the test database. */
async function query<Row extends pg.QueryResultRow>(text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await client.end();
  }
}

describe.each([
  { index: 'in process', extra: {} },
  {
    index: 'in Postgres (real[], no pgvector)',
    extra: { database_url: databaseUrl, database_schema: postgresSchema },
  },
])('the semantic cache, indexed $index', ({ extra }) => {
  const postgres = 'database_url' in extra;
  let gateway: TestGateway;
  let clients: SdkClients;

  beforeAll(async () => {
    if (postgres) {
      const vector = await query("select 1 from pg_extension where extname = 'vector'");
      expect(vector, 'this test covers the path without pgvector').toEqual([]);
    }
    gateway = await startTestGateway(
      cacheGatewayConfig(mock.url, {
        ...extra,
        cache: {
          models: {
            [gptModel]: { semantic: { enabled: true, embedding_model: 'mock-embed', threshold } },
          },
        },
      }),
    );
    clients = sdkClients(gateway.url, gateway.masterKey);
  });

  afterAll(async () => {
    await gateway.close();
    if (postgres) await query(`drop schema if exists ${postgresSchema} cascade`);
  });

  it(`serves a rephrasing above the threshold (${nearSimilarity.toFixed(3)} ≥ ${threshold}) and not a different question below it (${farSimilarity.toFixed(3)})`, async () => {
    const before = mock.chatCalls(upstreamGptModel);
    const base = await clients.openai.chat.completions.create(openaiRequest(basePrompt));
    expect(clients.last()).toMatchObject({ status: 200, cache: 'miss' });
    expect(base.choices[0]!.message.content).toMatch(/^Mock answer to: What is the capital/);
    // The prompt is indexed after the answer has been sent (in Postgres, a write in flight).
    await waitFor(async () => {
      const statistics = await cacheStatistics(gateway.url, gateway.masterKey);
      return (statistics.semantic?.entries ?? 0) >= 1 ? true : undefined;
    }, 'the prompt in the semantic index');

    const near = await clients.openai.chat.completions.create(openaiRequest(nearPrompt));
    expect(clients.last()).toMatchObject({ status: 200, cache: 'hit', attempts: '0' });
    // The cached answer to the first phrasing, not what the mock would say to this one.
    expect(near.choices[0]!.message.content).toBe(base.choices[0]!.message.content);
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);

    // Streamed too.
    const streamed = await clients.openai.chat.completions
      .stream({ ...openaiRequest(nearPrompt), stream: true, stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(clients.last().cache).toBe('hit');
    expect(streamed.choices[0]!.message.content).toBe(base.choices[0]!.message.content);
    expect(streamed.usage?.total_tokens).toBe(base.usage?.total_tokens);

    const far = await clients.openai.chat.completions.create(openaiRequest(farPrompt));
    expect(clients.last()).toMatchObject({ status: 200, cache: 'miss' });
    // The mock echoes six words of the question, so its answer differs only in the words it adds.
    expect(far.choices[0]!.message.content).not.toBe(base.choices[0]!.message.content);
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 2);

    const statistics = await waitFor(async () => {
      const read = await cacheStatistics(gateway.url, gateway.masterKey);
      return (read.semantic?.entries ?? 0) >= 2 ? read : undefined;
    }, 'both prompts in the semantic index');
    expect(statistics.semantic).toMatchObject({ entries: 2, hits: 2, errors: 0 });
    if (postgres) {
      // The entries are rows of the table in the configured schema, searched without pgvector.
      const rows = await query<{ count: number }>(
        `select count(*)::int as count from ${postgresSchema}.gatehouse_semantic_cache where scope = 'key:master'`,
      );
      expect(rows[0]!.count).toBe(2);
    }
  });

  it('searches only the caller’s own scope', async () => {
    const key = await createKey(gateway.url, gateway.masterKey, { name: 'outsider', team: 'elsewhere' });
    const outsider = sdkClients(gateway.url, key.secret);
    const before = mock.chatCalls(upstreamGptModel);
    await outsider.openai.chat.completions.create(openaiRequest(nearPrompt));
    expect(outsider.last()).toMatchObject({ status: 200, cache: 'miss' });
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);
    await waitFor(async () => {
      const statistics = await cacheStatistics(gateway.url, gateway.masterKey);
      return (statistics.semantic?.entries ?? 0) >= 3 ? true : undefined;
    }, 'the outsider’s prompt in the semantic index');
  });

  it('purges the index with the exact cache', async () => {
    const purged = await admin(gateway.url, gateway.masterKey, 'DELETE', '/admin/cache?scope=key:master');
    expect(purged.status).toBe(200);
    expect((purged.body.purged as { semantic: number }).semantic).toBe(2);
    await clients.openai.chat.completions.create(openaiRequest(nearPrompt));
    expect(clients.last().cache).toBe('miss');
  });
});
