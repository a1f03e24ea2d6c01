import { performance } from 'node:perf_hooks';
import type { CostCalculator } from '../../accounting/index.js';
import { cacheScope, type CacheDecision, type ResponseCaching } from '../../caching/index.js';
import type { Tracing } from '../../telemetry/index.js';
import {
  principalOf,
  summaryOf,
  proceed,
  type Answer,
  type Call,
  type RequestStage,
  type StageResult,
} from '../stage.js';

export interface CacheStageDependencies {
  readonly caching: ResponseCaching;
  readonly costs: CostCalculator;
  readonly tracing: Tracing;
}

/**
 * Chat answers from the response cache: a hit answers the request (priced at what it saved); a
 * miss leaves a recorder on the call for the cache-record answer stage. Embeddings pass by.
 */
export function createCacheStage(dependencies: CacheStageDependencies): RequestStage {
  const { caching, costs, tracing } = dependencies;

  async function lookUp(call: Call): Promise<StageResult> {
    const { context } = call;
    const cacheSpan = tracing.startChildSpan(call.span, 'gatehouse.cache');
    const cached = await caching.begin({
      dialect: context.dialect,
      scope: cacheScope(principalOf(call)),
      headers: context.headers,
      body: context.body,
      summary: summaryOf(call),
      signal: context.signal,
    });
    cacheSpan.setAttributes({ 'gatehouse.cache': cached.type === 'reject' ? 'reject' : cached.result });
    cacheSpan.end();
    switch (cached.type) {
      case 'reject':
        // Refused before anything was used: the lease goes back whole and nothing is accounted.
        call.lease?.settle({ tokens: 0, costUsd: 0 }).catch(() => undefined);
        call.lease = undefined;
        return { type: 'reject', error: cached.error };
      case 'hit':
        return { type: 'respond', answer: replayed(call, cached) };
      case 'record':
        call.cache = cached.result;
        call.cacheRecorder = cached.recorder;
        return proceed;
      case 'bypass':
        return proceed;
    }
  }

  function replayed(call: Call, hit: Extract<CacheDecision, { type: 'hit' }>): Answer {
    const meta = {
      ...call.meta,
      model: hit.answeredBy.model,
      cache: 'hit' as const,
      overheadMs: performance.now() - call.context.receivedAt,
    };
    const savedCostUsd =
      hit.usage === undefined ? 0 : costs.costOf(hit.answeredBy.provider, hit.answeredBy.model, hit.usage);
    const facts = { meta, answered: undefined, usage: hit.usage, savedCostUsd };
    return hit.response.type === 'json'
      ? { ...facts, type: 'json', body: hit.response.body }
      : { ...facts, type: 'stream', frames: hit.response.frames, ending: undefined };
  }

  return {
    name: 'cache',
    run: (call) => (call.context.operation === 'chat' ? lookUp(call) : proceed),
  };
}
