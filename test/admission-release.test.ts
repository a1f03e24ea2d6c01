import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';
import {
  chat,
  createKey,
  generousLimits,
  isolatedState,
  writeConfigFile,
  type IsolatedState,
} from './support/shared-state.js';

/**
 * A request that fails after it was admitted still gives back what admission took: its
 * concurrency slot and its budget reservation (in Redis, shared by every replica), its in-flight
 * entry (so a drain completes) and its attempt timers (so SIGTERM exits promptly). The failures
 * are real ones a caller can cause: a target model name that cannot be written in a response
 * header, and a body nested too deep to be serialised for an HTTP provider.
 */

/** USD per million tokens: a request allowing 40,000 output tokens reserves about $0.40. */
const pricePerMillion = 10;
const maxTokens = 40_000;
/** Each kind of failure twice: two that kept their share would fill the limit of 2, or the $1 budget. */
const failures = 8;

let state: IsolatedState;
let upstream: ScriptedUpstream;
let gateway: CliProcess & { url: string };

/** A configured target whose name (not the caller's) holds a character no HTTP header may carry. */
const unwritableModel = 'mock-priced-\u6a21\u578b';

function failingRequest(index: number, key: string): Promise<RawResponse> {
  const kind = index % 4;
  if (kind === 3) {
    return rawRequest(`${gateway.url}/v1/messages`, {
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'unwritable',
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: `failure ${index}` }],
      }),
    });
  }
  if (kind === 2) {
    // A body nested 100,000 deep in a field passed through to an HTTP provider. The body parser
    // may refuse it before admission (400); otherwise serialising it for the provider throws.
    const depth = 100_000;
    const body = `{"model":"relay","max_tokens":${maxTokens},"messages":[{"role":"user","content":"hi"}],"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    return rawRequest(`${gateway.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
  }
  return chat(gateway.url, {
    key,
    body: {
      model: 'unwritable',
      max_tokens: maxTokens,
      stream: kind === 1,
      messages: [{ role: 'user', content: `failure ${index}` }],
    },
  });
}

async function fail(key: string): Promise<RawResponse[]> {
  const answers: RawResponse[] = [];
  for (let index = 0; index < failures; index += 1) {
    answers.push(await failingRequest(index, key));
  }
  return answers;
}

function expectCleanFailures(answers: readonly RawResponse[]): void {
  for (const [index, answer] of answers.entries()) {
    // The deep body may be refused by the parser (400) before it is admitted at all.
    expect(index % 4 === 2 ? [400, 500] : [500]).toContain(answer.status);
    // In the caller's dialect: Anthropic's error envelope on /v1/messages, OpenAI's elsewhere.
    const parsed = JSON.parse(answer.text) as { type?: string; error?: { type?: string } };
    if (index % 4 === 3) expect(parsed).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    else expect(parsed.error?.type, answer.text).toBeDefined();
  }
}

const healthy = { model: 'relay', messages: [{ role: 'user', content: 'still admitted?' }] };

describe('a request that fails after admission gives back what admission took', () => {
  beforeAll(async () => {
    state = await isolatedState('admission');
    upstream = await startScriptedUpstream();
    const config = writeConfigFile({
      providers: { scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1` } },
      models: {
        relay: { targets: [{ provider: 'scripted', model: 'up-model' }] },
        unwritable: { targets: [{ provider: 'mock', model: unwritableModel }] },
      },
      pricing: {
        'mock-priced': { input: pricePerMillion, output: pricePerMillion },
        'scripted/up-model': { input: pricePerMillion, output: pricePerMillion },
      },
      usage: { flush_interval_ms: 200 },
    });
    gateway = await startCliGateway({ env: state.env, args: ['--config', config] });
  }, 45_000);

  afterAll(async () => {
    gateway.kill();
    await upstream.close();
    await state.cleanUp();
  });

  it('keeps a key limited to 2 concurrent requests usable after internal failures (limits in Redis)', async () => {
    const key = await createKey(gateway.url, testMasterKey, {
      name: 'two-at-a-time',
      limits: { ...generousLimits, concurrent_requests: 2 },
    });
    expectCleanFailures(await fail(key.secret));
    const next = await chat(gateway.url, { key: key.secret, body: healthy });
    expect(next.status, next.text).toBe(200);
  });

  it('releases the budget reservation of each failed request', async () => {
    const key = await createKey(gateway.url, testMasterKey, {
      name: 'one-dollar',
      limits: generousLimits,
      budget: { usd: 1, period: 'day' },
    });
    expectCleanFailures(await fail(key.secret));
    // Two kept reservations of ~$0.40 and this one would overspend the $1 budget.
    const next = await chat(gateway.url, { key: key.secret, body: { ...healthy, max_tokens: maxTokens } });
    expect(next.status, next.text).toBe(200);
  });

  it('exits promptly on SIGTERM after such failures (no attempt timer or in-flight entry is left)', async () => {
    const started = Date.now();
    gateway.child.kill('SIGTERM');
    const exit = await Promise.race([
      gateway.exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
