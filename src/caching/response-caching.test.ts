import { describe, expect, it } from 'vitest';
import { codecs } from '../dialects/index.js';
import { embedText } from '../providers/mock/index.js';
import { createMemoryCacheStore } from '../stores/memory/memory-cache-store.js';
import { createMemorySemanticIndex } from '../stores/memory/memory-cache-semantic-index.js';
import type { CacheObserver } from './cache-observer.js';
import { defaultCacheSettings, type CacheSettings } from './cache-settings.js';
import { createResponseCache } from './response-cache.js';
import { createResponseCaching, type CacheDecision, type CacheRequest } from './response-caching.js';
import { createSemanticCache, type Embedder } from './semantic-cache.js';

const settings: CacheSettings = {
  ...defaultCacheSettings,
  models: {
    'semantic-model': {
      semantic: { enabled: true, embeddingModel: 'mock-embedding', threshold: 0.85, maxEntries: 100 },
    },
  },
};

function setup(options: { embed?: Embedder } = {}) {
  let time = 1_700_000_000_000;
  const now = () => time;
  const results: string[] = [];
  const observer: CacheObserver = { cacheResult: (layer, result) => results.push(`${layer}:${result}`) };
  const cache = createResponseCache({
    local: createMemoryCacheStore({ maxEntries: 100, maxBytes: 10_000_000, now }),
    shared: undefined,
    localTtlSeconds: 300,
    maxEntryBytes: settings.maxEntryBytes,
    observer,
    now,
  });
  const embedded: string[] = [];
  const embed: Embedder =
    options.embed ??
    ((texts) => {
      embedded.push(...texts);
      return Promise.resolve(texts.map((text) => embedText(text, 256)));
    });
  const semanticIndex = createMemorySemanticIndex({ now });
  const caching = createResponseCaching({
    settings,
    cache,
    codecs,
    semantic: createSemanticCache({ index: semanticIndex, embed, observer }),
    observer,
    now,
  });
  return { caching, cache, results, embedded, advance: (ms: number) => (time += ms) };
}

function openaiRequest(
  question: string,
  overrides: Partial<CacheRequest> & { body?: Record<string, unknown> } = {},
): CacheRequest {
  const body = {
    model: 'gpt-4o',
    temperature: 0,
    messages: [
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: question },
    ],
    ...overrides.body,
  };
  return {
    dialect: 'openai',
    scope: 'team:alpha',
    headers: {},
    ...overrides,
    body,
    summary: summaryOf(body),
  };
}

/** What validation reads from a body, as the pipeline hands it to the cache. */
function summaryOf(body: Record<string, unknown>): CacheRequest['summary'] {
  const stream = body.stream === true;
  const options = body.stream_options as { include_usage?: unknown } | undefined;
  return { model: String(body.model), stream, includeUsage: stream && options?.include_usage === true };
}

function anthropicRequest(question: string, overrides: Record<string, unknown> = {}): CacheRequest {
  const body = {
    model: 'claude',
    max_tokens: 100,
    temperature: 0,
    messages: [{ role: 'user', content: question }],
    ...overrides,
  };
  return { dialect: 'anthropic', scope: 'team:alpha', headers: {}, body, summary: summaryOf(body) };
}

function openaiAnswer(text: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
    }),
  );
}

async function answerAndStore(decision: CacheDecision, text: string): Promise<void> {
  if (decision.type !== 'record') throw new Error(`expected a recorder, got ${decision.type}`);
  const outcome = await decision.recorder.json(openaiAnswer(text), {
    provider: 'openai',
    model: 'gpt-4o-2024-08-06',
  });
  expect(outcome).toEqual({ type: 'stored' });
}

async function hitText(decision: CacheDecision): Promise<string> {
  if (decision.type !== 'hit') throw new Error(`expected a hit, got ${decision.type}`);
  const response = decision.response;
  if (response.type === 'json') {
    const body = JSON.parse(response.body.toString('utf8')) as {
      choices?: { message: { content: string } }[];
    };
    return body.choices?.[0]?.message.content ?? JSON.stringify(body);
  }
  let text = '';
  for await (const frame of response.frames) text += frame;
  return text;
}

describe('response caching', () => {
  it('misses, stores the answer, then hits from L1 with the stored usage', async () => {
    const { caching, results } = setup();
    const first = await caching.begin(openaiRequest('Capital of France?'));
    expect(first).toMatchObject({ type: 'record', result: 'miss' });
    await answerAndStore(first, 'Paris.');
    const second = await caching.begin(openaiRequest('Capital of France?'));
    expect(second).toMatchObject({
      type: 'hit',
      result: 'hit',
      layer: 'l1',
      usage: { inputTokens: 20, outputTokens: 8 },
      answeredBy: { provider: 'openai', model: 'gpt-4o-2024-08-06' },
    });
    expect(await hitText(second)).toBe('Paris.');
    expect(results).toEqual(['l1:miss', 'l1:hit']);
  });

  it('serves a streaming request from a JSON answer, and a JSON request from a streamed one', async () => {
    const { caching } = setup();
    await answerAndStore(await caching.begin(openaiRequest('Capital of France?')), 'Paris.');
    const streamed = await caching.begin(
      openaiRequest('Capital of France?', {
        body: { stream: true, stream_options: { include_usage: true } },
      }),
    );
    const text = await hitText(streamed);
    expect(text).toContain('"content":"Paris."');
    expect(text).toContain('"prompt_tokens":20');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);

    const question = anthropicRequest('Capital of Spain?', { stream: true });
    const miss = await caching.begin(question);
    if (miss.type !== 'record') throw new Error('expected a miss');
    const encoder = codecs.anthropic.createStreamEncoder({ includeUsage: true, model: 'claude' });
    const frames = [
      encoder.encode({ type: 'start', id: 'msg_1', model: 'claude-x', created: 1 }),
      encoder.encode({ type: 'text', choice: 0, text: 'Madrid.' }),
      encoder.encode({ type: 'finish', choice: 0, reason: 'end' }),
      encoder.encode({
        type: 'usage',
        usage: { inputTokens: 9, outputTokens: 2, cachedInputTokens: 0, cacheCreationInputTokens: 0 },
      }),
      encoder.encode({ type: 'end' }),
    ].filter((frame) => frame !== '');
    const recording = miss.recorder.stream(
      (async function* () {
        await Promise.resolve();
        yield* frames;
      })(),
      Promise.resolve({ complete: true, usage: undefined }),
      { provider: 'anthropic', model: 'claude-x' },
    );
    for await (const _frame of recording.frames) {
      // the caller reads the stream
    }
    expect(await recording.recorded).toEqual({ type: 'stored' });
    const json = await caching.begin(anthropicRequest('Capital of Spain?'));
    if (json.type !== 'hit' || json.response.type !== 'json') throw new Error('expected a JSON hit');
    expect(JSON.parse(json.response.body.toString('utf8'))).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'Madrid.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 2 },
    });
  });

  it('never serves one tenant another tenant’s answer', async () => {
    const { caching } = setup();
    await answerAndStore(await caching.begin(openaiRequest('Secret plan?', { scope: 'key:k1' })), 'Plan A.');
    expect((await caching.begin(openaiRequest('Secret plan?', { scope: 'key:k2' }))).type).toBe('record');
    expect((await caching.begin(openaiRequest('Secret plan?', { scope: 'key:k1' }))).type).toBe('hit');
  });

  it('forgets an answer when its TTL has passed', async () => {
    const { caching, advance } = setup();
    await answerAndStore(
      await caching.begin(
        openaiRequest('Capital of France?', { headers: { 'x-gatehouse-cache-ttl': '60' } }),
      ),
      'Paris.',
    );
    advance(59_000);
    expect((await caching.begin(openaiRequest('Capital of France?'))).type).toBe('hit');
    advance(1_000);
    expect((await caching.begin(openaiRequest('Capital of France?'))).type).toBe('record');
  });

  it('refreshes on no-cache, and leaves the cache alone on no-store', async () => {
    const { caching } = setup();
    await answerAndStore(await caching.begin(openaiRequest('Capital of France?')), 'Paris.');
    const refresh = await caching.begin(
      openaiRequest('Capital of France?', { headers: { 'cache-control': 'no-cache' } }),
    );
    expect(refresh).toMatchObject({ type: 'record', result: 'bypass' });
    await answerAndStore(refresh, 'Paris, of course.');
    expect(await hitText(await caching.begin(openaiRequest('Capital of France?')))).toBe('Paris, of course.');
    const skip = await caching.begin(
      openaiRequest('Capital of France?', { headers: { 'cache-control': 'no-store' } }),
    );
    expect(skip).toEqual({ type: 'bypass', result: 'bypass', reason: 'no_store' });
  });

  it('does not store with a TTL of 0 but still reads', async () => {
    const { caching } = setup();
    const decision = await caching.begin(
      openaiRequest('Capital?', { headers: { 'x-gatehouse-cache-ttl': '0' } }),
    );
    if (decision.type !== 'record') throw new Error('expected a recorder');
    expect(await decision.recorder.json(openaiAnswer('Paris.'), {})).toEqual({
      type: 'skipped',
      reason: 'ttl_zero',
    });
    expect((await caching.begin(openaiRequest('Capital?'))).type).toBe('record');
  });

  it('rejects a malformed TTL header and bypasses sampled requests', async () => {
    const { caching, results } = setup();
    const rejected = await caching.begin(
      openaiRequest('Q?', { headers: { 'x-gatehouse-cache-ttl': 'forever' } }),
    );
    expect(rejected.type).toBe('reject');
    expect(await caching.begin(openaiRequest('Q?', { body: { temperature: 0.9 } }))).toMatchObject({
      type: 'bypass',
      reason: 'temperature',
    });
    expect(results).toEqual(['none:bypass']);
  });

  it('purges one scope and reports statistics', async () => {
    const { caching } = setup();
    await answerAndStore(await caching.begin(openaiRequest('Q1?', { scope: 'team:a' })), 'A1');
    await answerAndStore(await caching.begin(openaiRequest('Q1?', { scope: 'team:b' })), 'B1');
    expect(await caching.purge({ scope: 'team:a' })).toEqual({ l1: 1, l2: null, semantic: 0 });
    expect((await caching.begin(openaiRequest('Q1?', { scope: 'team:a' }))).type).toBe('record');
    expect((await caching.begin(openaiRequest('Q1?', { scope: 'team:b' }))).type).toBe('hit');
    const statistics = await caching.inspect();
    expect(statistics.l1).toMatchObject({ entries: 1, hits: 1, misses: 3 });
    expect(statistics.l2).toBeUndefined();
  });
});

describe('semantic cache', () => {
  const semantic = (
    question: string,
    overrides: Partial<CacheRequest> & { body?: Record<string, unknown> } = {},
  ) => openaiRequest(question, { ...overrides, body: { model: 'semantic-model', ...overrides.body } });

  it('serves a similar prompt above the threshold and not a different one below it', async () => {
    const { caching, embedded } = setup();
    await answerAndStore(await caching.begin(semantic('What is the capital of France?')), 'Paris.');
    const similar = await caching.begin(semantic('What is the capital city of France?'));
    expect(similar).toMatchObject({ type: 'hit', layer: 'semantic' });
    if (similar.type === 'hit') expect(similar.similarity).toBeGreaterThanOrEqual(0.85);
    expect(await hitText(similar)).toBe('Paris.');
    expect((await caching.begin(semantic('What is the capital of Germany?'))).type).toBe('record');
    // The system prompt is matched exactly, never embedded.
    expect(embedded.every((text) => !text.includes('one sentence'))).toBe(true);
  });

  it('matches only within the same scope and the same rest of the request', async () => {
    const { caching } = setup();
    await answerAndStore(await caching.begin(semantic('What is the capital of France?')), 'Paris.');
    expect(
      (await caching.begin(semantic('What is the capital city of France?', { scope: 'team:beta' }))).type,
    ).toBe('record');
    const otherSystem = semantic('What is the capital city of France?', {
      body: {
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'What is the capital city of France?' },
        ],
      },
    });
    expect((await caching.begin(otherSystem)).type).toBe('record');
  });

  it('treats a failing embedding model as a miss', async () => {
    const { caching, results } = setup({ embed: () => Promise.reject(new Error('embedding model down')) });
    const decision = await caching.begin(semantic('What is the capital of France?'));
    expect(decision.type).toBe('record');
    await answerAndStore(decision, 'Paris.');
    expect(results).toContain('semantic:error');
    expect((await caching.begin(semantic('What is the capital of France?'))).type).toBe('hit');
  });

  it('forgets an index entry whose answer is gone, and purges the index with the cache', async () => {
    const { caching, cache } = setup();
    await answerAndStore(await caching.begin(semantic('What is the capital of France?')), 'Paris.');
    await cache.purge({});
    expect((await caching.begin(semantic('What is the capital city of France?'))).type).toBe('record');
    expect((await caching.inspect()).semantic?.entries).toBe(0);
    await answerAndStore(await caching.begin(semantic('What is the capital of France?')), 'Paris.');
    expect(await caching.purge({ model: 'semantic-model' })).toMatchObject({ l1: 1, semantic: 1 });
  });
});
