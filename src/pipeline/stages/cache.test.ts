import { describe, expect, it, vi } from 'vitest';
import type { CostCalculator } from '../../accounting/index.js';
import type { AnswerRecorder, CacheDecision, ResponseCaching } from '../../caching/index.js';
import { GatewayError } from '../../errors/index.js';
import { proceed } from '../stage.js';
import { callFor, tracing, validatedCall } from '../test-fakes.js';
import { createCacheStage } from './cache.js';

const costs = { costOf: () => 0.25, upperBound: () => 1 } as unknown as CostCalculator;

describe('the cache stage', () => {
  function stageAnswering(decision: CacheDecision) {
    const caching = { begin: vi.fn(() => Promise.resolve(decision)) } as unknown as ResponseCaching;
    return createCacheStage({ caching, costs, tracing });
  }

  it('passes embeddings by without looking, synchronously', () => {
    const stage = stageAnswering({ type: 'bypass', result: 'bypass', reason: 'no_store' });
    expect(stage.run(callFor({ model: 'e', input: 'x' }, 'embeddings'))).toBe(proceed);
  });

  it('answers a hit, priced at what it saved', async () => {
    const usage = { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, cacheCreationInputTokens: 0 };
    const stage = stageAnswering({
      type: 'hit',
      result: 'hit',
      layer: 'l1',
      similarity: undefined,
      response: { type: 'json', body: Buffer.from('{}') },
      usage,
      answeredBy: { provider: 'p', model: 'gpt-4o-2024' },
    });
    const result = await stage.run(validatedCall());
    expect(result).toMatchObject({
      type: 'respond',
      answer: {
        type: 'json',
        usage,
        savedCostUsd: 0.25,
        answered: undefined,
        meta: { cache: 'hit', model: 'gpt-4o-2024' },
      },
    });
  });

  it('leaves a miss’s recorder on the call, and gives a refusal’s lease back whole', async () => {
    const recorder = {} as AnswerRecorder;
    const call = validatedCall();
    await expect(stageAnswering({ type: 'record', result: 'miss', recorder }).run(call)).resolves.toBe(
      proceed,
    );
    expect(call).toMatchObject({ cache: 'miss', cacheRecorder: recorder });
    const settle = vi.fn(() => Promise.resolve());
    call.lease = { settle };
    const error = new GatewayError('invalid_request', 'bad cache header');
    await expect(stageAnswering({ type: 'reject', error }).run(call)).resolves.toEqual({
      type: 'reject',
      error,
    });
    expect(settle).toHaveBeenCalledExactlyOnceWith({ tokens: 0, costUsd: 0 });
    expect(call.lease).toBeUndefined();
  });
});
