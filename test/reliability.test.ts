import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/config/schema.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * Failure behaviour end to end: the real `openai` client, the real gateway, and the mock
 * provider's faults (chosen by model name), each model with a primary target and one fallback
 * model. Timeouts are short so that the whole file runs in seconds; the times asserted are loose
 * bounds (a hang is a failure), never performance.
 */

const fast = {
  retry: { attempts: 3, backoff_ms: 20, max_backoff_ms: 100 },
  timeouts: { connect_ms: 1_000, first_token_ms: 800, stall_ms: 400, attempt_ms: 1_500, total_ms: 15_000 },
};
const variants = ['stream', 'json'] as const;
type Variant = (typeof variants)[number];

/** A model whose one target misbehaves as `fault` says, with `backup` as its fallback. */
function faulty(fault: string, extra: Record<string, unknown> = {}) {
  return Object.fromEntries(
    variants.map((variant) => [
      `${fault}-${variant}`,
      {
        targets: [{ provider: 'mock', model: `mock-${fault}-${variant}` }],
        fallbacks: ['backup'],
        ...fast,
        ...extra,
      },
    ]),
  );
}

const config: ConfigInput = {
  providers: {
    'no-prefill': { type: 'mock', supports_prefill: false },
    'claims-prefill': { type: 'mock', supports_prefill: true },
  },
  models: {
    backup: { targets: [{ provider: 'mock', model: 'mock-backup' }], ...fast },
    large: { targets: [{ provider: 'mock', model: 'mock-large' }], ...fast },
    strict: { targets: [{ provider: 'no-prefill', model: 'mock-prefill-refusal' }], ...fast },
    liar: { targets: [{ provider: 'claims-prefill', model: 'mock-prefill-refusal' }], ...fast },
    ...faulty('429-retry-after-2-once'),
    ...faulty('429'),
    ...faulty('500-once'),
    ...faulty('503'),
    ...faulty('reset-once'),
    ...faulty('hang'),
    ...faulty('slow-first-token-5000'),
    ...faulty('stream-cut-after-5'),
    ...faulty('stream-stall-5'),
    ...faulty('malformed-chunk-5'),
    ...faulty('no-terminator'),
    ...faulty('content-policy'),
    ...faulty('context-length', { context_fallbacks: ['large'] }),
    'too-long-nowhere': {
      targets: [{ provider: 'mock', model: 'mock-context-length' }],
      fallbacks: ['backup'],
      ...fast,
    },
    'rate-limited-alone': { targets: [{ provider: 'mock', model: 'mock-429' }], ...fast },
    'cut-then-strict': {
      targets: [{ provider: 'mock', model: 'mock-stream-cut-after-5-strict' }],
      fallbacks: ['strict'],
      ...fast,
    },
    'cut-then-liar': {
      targets: [{ provider: 'mock', model: 'mock-stream-cut-after-5-liar' }],
      fallbacks: ['liar'],
      ...fast,
    },
  },
};

const prompt = [{ role: 'user' as const, content: 'Tell me about the gateway.' }];

interface Answer {
  readonly text: string;
  readonly usage: OpenAI.CompletionUsage | undefined;
  readonly headers: Headers;
  readonly elapsedMs: number;
  readonly finishReason: string | null | undefined;
}

describe('reliability against the mock provider faults', () => {
  let gateway: TestGateway;
  let client: OpenAI;
  let complete: string;

  async function ask(model: string, variant: Variant): Promise<Answer> {
    const started = Date.now();
    if (variant === 'json') {
      const { data, response } = await client.chat.completions
        .create({ model, messages: prompt })
        .withResponse();
      return {
        text: data.choices[0]?.message.content ?? '',
        usage: data.usage,
        headers: response.headers,
        elapsedMs: Date.now() - started,
        finishReason: data.choices[0]?.finish_reason,
      };
    }
    const { data: stream, response } = await client.chat.completions
      .create({ model, messages: prompt, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finishReason: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usage = chunk.usage;
    }
    return { text, usage, headers: response.headers, elapsedMs: Date.now() - started, finishReason };
  }

  beforeAll(async () => {
    gateway = await startTestGateway(config);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
    complete = (await ask('backup', 'json')).text;
    expect(complete.length).toBeGreaterThan(20);
  });
  afterAll(() => gateway.close());

  describe.each(variants)('%s', (variant) => {
    it('429 with Retry-After: 2 once: waits as told, then answers completely', async () => {
      const answer = await ask(`429-retry-after-2-once-${variant}`, variant);
      expect(answer.elapsedMs).toBeGreaterThanOrEqual(2_000);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('2');
      expect(answer.headers.get('x-gatehouse-model')).toBe(`mock-429-retry-after-2-once-${variant}`);
      expect(answer.text).toBe(complete);
    });

    it('429 forever without Retry-After: bounded attempts with backoff, then the fallback answers', async () => {
      const answer = await ask(`429-${variant}`, variant);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('4');
      expect(answer.headers.get('x-gatehouse-model')).toBe('mock-backup');
      expect(answer.text).toBe(complete);
    });

    it('500 once: retried on the same target and answered', async () => {
      const answer = await ask(`500-once-${variant}`, variant);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('2');
      expect(answer.headers.get('x-gatehouse-model')).toBe(`mock-500-once-${variant}`);
      expect(answer.text).toBe(complete);
    });

    it('503 forever: bounded attempts, then the fallback answers and the answer names it, with usage', async () => {
      const answer = await ask(`503-${variant}`, variant);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('4');
      expect(answer.headers.get('x-gatehouse-model')).toBe('mock-backup');
      expect(answer.headers.get('x-gatehouse-provider')).toBe('mock');
      expect(answer.usage?.completion_tokens).toBeGreaterThan(0);
      expect(answer.text).toBe(complete);
    });

    it('a connection reset before headers: answered', async () => {
      const answer = await ask(`reset-once-${variant}`, variant);
      expect(answer.text).toBe(complete);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('2');
    });

    it('no response at all: ends within the budget and the silent target is not retried', async () => {
      const answer = await ask(`hang-${variant}`, variant);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('2');
      expect(answer.headers.get('x-gatehouse-model')).toBe('mock-backup');
      expect(answer.elapsedMs).toBeLessThan(fast.timeouts.attempt_ms + 1_500);
      expect(answer.text).toBe(complete);
    });

    it('a first token slower than first_token_ms: the fallback answers', async () => {
      const answer = await ask(`slow-first-token-5000-${variant}`, variant);
      expect(answer.headers.get('x-gatehouse-model')).toBe('mock-backup');
      expect(answer.elapsedMs).toBeLessThan(fast.timeouts.attempt_ms + 1_500);
      expect(answer.text).toBe(complete);
    });

    it.each(['stream-cut-after-5', 'stream-stall-5', 'malformed-chunk-5'])(
      '%s: the complete answer, never a truncated success, and the next request is served',
      async (fault) => {
        const answer = await ask(`${fault}-${variant}`, variant);
        expect(answer.text).toBe(complete);
        expect(answer.finishReason).toBe('stop');
        const next = await ask('backup', variant);
        expect(next.text).toBe(complete);
      },
    );

    it('content-policy rejection: one attempt, the provider reason, no fail-over', async () => {
      const error = await ask(`content-policy-${variant}`, variant).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(APIError);
      const apiError = error as APIError;
      expect(apiError.status).toBe(400);
      expect(apiError.message).toMatch(/polic/i);
      expect(apiError.headers?.get('x-gatehouse-attempts')).toBe('1');
    });

    it('context_length_exceeded: one attempt on that model, then the larger-context model', async () => {
      const answer = await ask(`context-length-${variant}`, variant);
      expect(answer.headers.get('x-gatehouse-attempts')).toBe('2');
      expect(answer.headers.get('x-gatehouse-model')).toBe('mock-large');
      expect(answer.text).toBe(complete);
    });
  });

  it('a stream without [DONE] is finalised promptly, with usage', async () => {
    const answer = await ask('no-terminator-stream', 'stream');
    expect(answer.text).toBe(complete);
    expect(answer.usage?.total_tokens).toBeGreaterThan(0);
    expect(answer.elapsedMs).toBeLessThan(1_500);
  });

  it('context_length_exceeded without a larger model: the error, after exactly one attempt', async () => {
    const error = (await ask('too-long-nowhere', 'json').catch((thrown: unknown) => thrown)) as APIError;
    expect(error.status).toBe(400);
    expect(error.code).toBe('context_length_exceeded');
    expect(error.headers?.get('x-gatehouse-attempts')).toBe('1');
  });

  it('429 forever with no fallback: a clean 429 after bounded attempts', async () => {
    const error = (await ask('rate-limited-alone', 'json').catch((thrown: unknown) => thrown)) as APIError;
    expect(error.status).toBe(429);
    expect(error.headers?.get('x-gatehouse-attempts')).toBe('3');
  });

  it.each(['cut-then-strict', 'cut-then-liar'])(
    '%s: a fallback that rejects prefills continues the answer without the caller seeing a prefill error',
    async (model) => {
      const answer = await ask(model, 'stream');
      expect(answer.text).toBe(complete);
      expect(answer.finishReason).toBe('stop');
    },
  );
});

/** `primary` on a mock target that is down for a while, falling back to a healthy `backup`. */
function primaryWithBackup(primaryModel: string) {
  return {
    primary: {
      targets: [{ provider: 'mock', model: primaryModel }],
      fallbacks: ['backup'],
      retry: { attempts: 1 },
      timeouts: fast.timeouts,
    },
    backup: { targets: [{ provider: 'mock', model: 'mock-backup' }], ...fast },
  };
}

describe('circuit breaker with a target that is down for its first seconds', () => {
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startTestGateway({
      circuit_breaker: {
        failure_rate: 0.5,
        minimum_requests: 3,
        window_ms: 10_000,
        open_ms: 400,
        half_open_probes: 1,
      },
      models: primaryWithBackup('mock-down-2'),
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
  });
  afterAll(() => gateway.close());

  it('serves from the fallback while down, opens, probes, and returns to the primary after recovery', async () => {
    const started = Date.now();
    const served: { at: number; model: string | null; attempts: string | null }[] = [];
    while (Date.now() - started < 4_500) {
      const { response } = await client.chat.completions
        .create({ model: 'primary', messages: prompt })
        .withResponse();
      served.push({
        at: Date.now() - started,
        model: response.headers.get('x-gatehouse-model'),
        attempts: response.headers.get('x-gatehouse-attempts'),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const whileDown = served.filter((entry) => entry.at < 1_900);
    expect(whileDown.length).toBeGreaterThan(5);
    expect(whileDown.every((entry) => entry.model === 'mock-backup')).toBe(true);
    // Once the breaker is open, requests go straight to the fallback: one attempt, no primary try.
    expect(whileDown.slice(3).some((entry) => entry.attempts === '1')).toBe(true);
    const recovered = served.filter((entry) => entry.at > 3_200);
    expect(recovered.length).toBeGreaterThan(3);
    expect(recovered.every((entry) => entry.model === 'mock-down-2')).toBe(true);
  });
});

describe('circuit breaker recovery with the default open periods', () => {
  let gateway: TestGateway;
  let client: OpenAI;
  /** Taken before the gateway (and so the mock's `down` clock) starts: recovery is no earlier than 6 s after it. */
  let origin: number;

  beforeAll(async () => {
    origin = Date.now();
    gateway = await startTestGateway({
      // Only the verdict is tuned so the breaker opens on the first few failures; the open periods
      // are the defaults under test.
      circuit_breaker: { minimum_requests: 3 },
      models: primaryWithBackup('mock-down-6'),
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
  });
  afterAll(() => gateway.close());

  it('serves from the primary again within a few seconds of its recovery, not a whole long open period later', async () => {
    const served: { at: number; model: string | null }[] = [];
    while (Date.now() - origin < 10_500) {
      const { response } = await client.chat.completions
        .create({ model: 'primary', messages: prompt })
        .withResponse();
      served.push({ at: Date.now() - origin, model: response.headers.get('x-gatehouse-model') });
      const lastFew = served.slice(-5);
      if (lastFew.length === 5 && lastFew.every((entry) => entry.model === 'mock-down-6')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served.filter((entry) => entry.at < 5_500).every((entry) => entry.model === 'mock-backup')).toBe(
      true,
    );
    const firstPrimary = served.find((entry) => entry.model === 'mock-down-6');
    expect(firstPrimary).toBeDefined();
    // The bound is 6 s after recovery; the short first open period does far better.
    expect((firstPrimary?.at ?? Infinity) - 6_000).toBeLessThan(3_000);
    const after = served.filter((entry) => entry.at > (firstPrimary?.at ?? Infinity));
    expect(after.every((entry) => entry.model === 'mock-down-6')).toBe(true);
  }, 20_000);
});
