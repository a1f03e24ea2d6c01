import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { codecs } from '../dialects/index.js';
import type { ProviderAdapter, UpstreamOutcome, UpstreamRequest } from '../providers/contract.js';
import { upstreamHttpError } from '../providers/upstream-errors.js';
import { createCircuitBreakers, type CircuitBreakers } from './circuit-breaker.js';
import { createModelResolver } from './model-resolver.js';
import type { RouterObserver } from './observer.js';
import { createRouter, type Router } from './router.js';
import type { ModelSettings, RetrySettings, TimeoutSettings } from './routing-settings.js';
import { createTargetStats } from './target-stats.js';
import type { RouteCall, RouteOutcome } from './types.js';

/** What a scripted provider answers, in turn; the last answer repeats. */
type Scripted = 'ok' | number | { readonly status: number; readonly message: string };

interface ScriptedProvider extends ProviderAdapter {
  /** The provider models asked, in order. */
  readonly asked: string[];
}

const answerBody = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'upstream',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  }),
);

/** A provider behind the real adapter contract whose answers are scripted. */
function scriptedProvider(name: string, script: readonly Scripted[]): ScriptedProvider {
  const asked: string[] = [];
  const outcome = (entry: Scripted): UpstreamOutcome => {
    if (entry === 'ok') {
      return {
        ok: true,
        response: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: Readable.from([answerBody]),
          readAll: () => Promise.resolve(answerBody),
          cancel: () => undefined,
        },
      };
    }
    const { status, message } = typeof entry === 'number' ? { status: entry, message: 'busy' } : entry;
    const body = JSON.stringify({ error: { message, type: 'server_error' } });
    return { ok: false, failure: { kind: 'http', error: upstreamHttpError(name, status, body) } };
  };
  return {
    name,
    type: 'openai-compatible',
    dialects: ['openai'],
    supportsEmbeddings: true,
    supportsPrefill: false,
    asked,
    send(request: UpstreamRequest) {
      asked.push(request.model);
      const entry = script[Math.min(asked.length - 1, script.length - 1)] ?? 'ok';
      return Promise.resolve(outcome(entry));
    },
    listModels: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}

const retry: RetrySettings = {
  attempts: 3,
  retryOn: [408, 409, 429, 500, 502, 503, 504],
  backoffMs: 1_000,
  maxBackoffMs: 1_000,
  maxRetryAfterMs: 30_000,
};
const timeouts: TimeoutSettings = {
  firstTokenMs: 30_000,
  stallMs: 30_000,
  attemptMs: 300_000,
  totalMs: 600_000,
};

function model(targets: readonly string[], links: Partial<ModelSettings> = {}): ModelSettings {
  return {
    strategy: 'fallback',
    targets: targets.map((provider) => ({ provider, model: `${provider}-model`, weight: 1 })),
    fallbacks: [],
    contextFallbacks: [],
    contextWindow: undefined,
    retry,
    timeouts,
    ...links,
  };
}

/** Failures that open a breaker; more than any single test makes by itself. */
const breakerMinimum = 10;

function openBreaker(breakers: CircuitBreakers, target: string): void {
  for (let failure = 0; failure < breakerMinimum; failure += 1) breakers.record(target, false, false);
}

interface Setup {
  readonly router: Router;
  readonly breakers: CircuitBreakers;
  readonly events: string[];
  readonly sleeps: number[];
}

function setup(providers: readonly ScriptedProvider[], models: Record<string, ModelSettings>): Setup {
  const byName = new Map(providers.map((provider) => [provider.name, provider]));
  const resolver = createModelResolver({
    settings: { models: new Map(Object.entries(models)), defaults: { retry, timeouts } },
    providers: byName,
    implicitProvider: () => undefined,
  });
  const breakers = createCircuitBreakers(
    {
      failureRate: 0.5,
      minimumRequests: breakerMinimum,
      windowMs: 60_000,
      openMs: 60_000,
      maxOpenMs: 60_000,
      halfOpenProbes: 1,
    },
    undefined,
  );
  const events: string[] = [];
  const sleeps: number[] = [];
  const observer: RouterObserver = {
    attempt: (event) => events.push(`attempt ${event.provider} ${event.outcome}`),
    retry: (event) => events.push(`retry ${event.provider}`),
    failover: (event) => events.push(`failover ${event.from} ${event.reason}`),
    breakerChange: (event) => events.push(`breaker ${event.target} ${event.state}`),
  };
  const router = createRouter({
    resolver,
    codecs,
    breakers,
    stats: createTargetStats(),
    observer,
    random: () => 0.5,
    // Time passes only as the router waits: a deadline is reached by its backoffs alone.
    sleep: (milliseconds) => {
      sleeps.push(milliseconds);
      vi.setSystemTime(Date.now() + milliseconds);
      return Promise.resolve();
    },
  });
  return { router, breakers, events, sleeps };
}

function call(modelName: string, overrides: Partial<RouteCall> = {}): RouteCall {
  return {
    dialect: 'openai',
    operation: 'chat',
    model: modelName,
    body: { model: modelName, messages: [{ role: 'user', content: 'hi' }] },
    stream: false,
    includeUsage: false,
    forwardHeaders: {},
    signal: new AbortController().signal,
    ...overrides,
  };
}

function errorOf(outcome: RouteOutcome): { code: string; attempts: number } {
  if (outcome.type !== 'error') throw new Error(`expected an error, got ${outcome.type}`);
  return { code: outcome.error.code, attempts: outcome.attempts };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the router', () => {
  it('retries a target that answered 503 after a backoff, and answers from its second attempt', async () => {
    const a = scriptedProvider('a', [503, 'ok']);
    const { router, events, sleeps } = setup([a], { chat: model(['a']) });
    const outcome = await router.route(call('chat'));
    expect(outcome).toMatchObject({
      type: 'json',
      answered: { provider: 'a', model: 'a-model', attempts: 2 },
    });
    expect(a.asked).toEqual(['a-model', 'a-model']);
    // Equal jitter: half the backoff fixed, half random (0.5 here).
    expect(sleeps).toEqual([750]);
    expect(events).toEqual(['attempt a failure', 'retry a', 'attempt a success']);
  });

  it('fails over to the next target when one answers with an error not worth retrying', async () => {
    const a = scriptedProvider('a', [404]);
    const b = scriptedProvider('b', ['ok']);
    const { router, events } = setup([a, b], { chat: model(['a', 'b']) });
    const outcome = await router.route(call('chat'));
    expect(outcome).toMatchObject({ type: 'json', answered: { provider: 'b', attempts: 2 } });
    expect(events).toContain('failover a/a-model error');
  });

  it('fails over to the fallback models once every target of the model failed', async () => {
    const a = scriptedProvider('a', [500]);
    const b = scriptedProvider('b', ['ok']);
    const { router } = setup([a, b], {
      chat: model(['a'], { retry: { ...retry, attempts: 1 }, fallbacks: ['spare'] }),
      spare: model(['b']),
    });
    expect(await router.route(call('chat'))).toMatchObject({ type: 'json', answered: { provider: 'b' } });
  });

  it('skips a target whose breaker is open without asking it', async () => {
    const a = scriptedProvider('a', ['ok']);
    const b = scriptedProvider('b', ['ok']);
    const { router, breakers, events } = setup([a, b], { chat: model(['a', 'b']) });
    openBreaker(breakers, 'a/a-model');
    const outcome = await router.route(call('chat'));
    expect(outcome).toMatchObject({ type: 'json', answered: { provider: 'b', attempts: 1 } });
    expect(a.asked).toEqual([]);
    expect(events).toContain('failover a/a-model breaker-open');
  });

  it('answers 503 naming the open breakers when every target is out of rotation', async () => {
    const a = scriptedProvider('a', ['ok']);
    const { router, breakers } = setup([a], { chat: model(['a']) });
    openBreaker(breakers, 'a/a-model');
    const outcome = await router.route(call('chat'));
    expect(errorOf(outcome)).toEqual({ code: 'upstream_unavailable', attempts: 0 });
    expect(outcome.type === 'error' && outcome.error.message).toMatch(/circuit breaker open/);
  });

  it('jumps to the context fallbacks, past the ordinary ones, when a provider says the prompt is too long', async () => {
    const small = scriptedProvider('small', [
      { status: 400, message: "This model's maximum context length is 8192 tokens." },
    ]);
    const other = scriptedProvider('other', ['ok']);
    const large = scriptedProvider('large', ['ok']);
    const { router, events } = setup([small, other, large], {
      chat: model(['small'], { fallbacks: ['other'], contextFallbacks: ['large'] }),
      other: model(['other']),
      large: model(['large']),
    });
    const outcome = await router.route(call('chat'));
    expect(outcome).toMatchObject({ type: 'json', answered: { provider: 'large', attempts: 2 } });
    expect(other.asked).toEqual([]);
    expect(events).toContain('failover small/small-model context-length');
  });

  it('goes straight to a context fallback when the prompt exceeds the configured context window', async () => {
    const small = scriptedProvider('small', ['ok']);
    const large = scriptedProvider('large', ['ok']);
    const { router } = setup([small, large], {
      chat: model(['small'], { contextWindow: 1, contextFallbacks: ['large'] }),
      large: model(['large']),
    });
    const outcome = await router.route(call('chat'));
    expect(outcome).toMatchObject({ type: 'json', answered: { provider: 'large', attempts: 1 } });
    expect(small.asked).toEqual([]);
  });

  it('refuses a prompt too long for every configured context window without asking a provider', async () => {
    const small = scriptedProvider('small', ['ok']);
    const { router } = setup([small], { chat: model(['small'], { contextWindow: 1 }) });
    expect(errorOf(await router.route(call('chat')))).toEqual({
      code: 'context_length_exceeded',
      attempts: 0,
    });
  });

  it('stops at the overall deadline, however many retries are left', async () => {
    const a = scriptedProvider('a', [503]);
    const { router, sleeps } = setup([a], {
      chat: model(['a'], { retry: { ...retry, attempts: 10 }, timeouts: { ...timeouts, totalMs: 2_500 } }),
    });
    const outcome = await router.route(call('chat'));
    expect(errorOf(outcome)).toEqual({ code: 'upstream_timeout', attempts: 4 });
    // The last wait is cut short to end at the deadline.
    expect(sleeps).toEqual([750, 750, 750, 250]);
  });

  it('hands on an upstream error that no other target could change', async () => {
    const a = scriptedProvider('a', [{ status: 400, message: 'temperature must be at most 2' }]);
    const b = scriptedProvider('b', ['ok']);
    const { router } = setup([a, b], { chat: model(['a', 'b']) });
    const outcome = await router.route(call('chat'));
    expect(outcome.type === 'error' && outcome.error.status).toBe(400);
    expect(b.asked).toEqual([]);
  });

  it('tells a request’s own observer what it tells the shared one', async () => {
    const a = scriptedProvider('a', [503, 'ok']);
    const { router, events } = setup([a], { chat: model(['a']) });
    const own: string[] = [];
    await router.route(
      call('chat', {
        observer: {
          attempt: (event) => own.push(`attempt ${event.provider} ${event.outcome}`),
          retry: (event) => own.push(`retry ${event.provider}`),
          failover: (event) => own.push(`failover ${event.from} ${event.reason}`),
        },
      }),
    );
    expect(own).toEqual(events);
  });

  it('answers model_not_found for a name nothing serves', async () => {
    const { router } = setup([], {});
    expect(errorOf(await router.route(call('nowhere')))).toEqual({ code: 'model_not_found', attempts: 0 });
  });

  it('stops when the caller has gone', async () => {
    const a = scriptedProvider('a', ['ok']);
    const { router } = setup([a], { chat: model(['a']) });
    const controller = new AbortController();
    controller.abort();
    expect(errorOf(await router.route(call('chat', { signal: controller.signal })))).toEqual({
      code: 'client_closed_request',
      attempts: 0,
    });
    expect(a.asked).toEqual([]);
  });
});
