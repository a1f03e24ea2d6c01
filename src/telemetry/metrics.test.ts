import { describe, expect, it } from 'vitest';
import type { RouterObserver } from '../routing/index.js';
import { createMetrics, type MetricsOptions } from './metrics.js';
import { metricFamilies, parseExposition, sample } from './metrics-exposition.js';

function build(options: Partial<MetricsOptions> = {}) {
  let clock = 0;
  const metrics = createMetrics({ knownModels: ['gpt-4o-mini', 'claude'], now: () => clock, ...options });
  return {
    metrics,
    advance: (ms: number) => (clock += ms),
    scrape: async () => parseExposition(await metrics.render()),
  };
}

describe('HTTP request metrics', () => {
  it('counts three answered requests and observes each duration once', async () => {
    const { metrics, advance, scrape } = build();
    for (const status of [200, 200, 429]) {
      const tracker = metrics.requestStarted({ route: '/v1/chat/completions', method: 'POST' });
      advance(40);
      tracker.finished({ status });
    }
    const samples = await scrape();
    const route = { route: '/v1/chat/completions', method: 'POST' };
    expect(
      sample(samples, 'gatehouse_http_requests_total', { ...route, status: '200', status_class: '2xx' }),
    ).toBe(2);
    expect(
      sample(samples, 'gatehouse_http_requests_total', { ...route, status: '429', status_class: '4xx' }),
    ).toBe(1);
    const ok = { ...route, status_class: '2xx', stream: 'false' };
    expect(sample(samples, 'gatehouse_http_request_duration_seconds_count', ok)).toBe(2);
    expect(sample(samples, 'gatehouse_http_request_duration_seconds_sum', ok)).toBeCloseTo(0.08);
    expect(sample(samples, 'gatehouse_http_request_duration_seconds_bucket', { ...ok, le: '0.025' })).toBe(0);
    expect(sample(samples, 'gatehouse_http_request_duration_seconds_bucket', { ...ok, le: '0.05' })).toBe(2);
    expect(sample(samples, 'gatehouse_http_requests_in_flight')).toBe(0);
  });

  it('reports requests and streams in flight until they finish, and counts a finish once', async () => {
    const { metrics, scrape } = build();
    const plain = metrics.requestStarted({ route: '/v1/embeddings', method: 'POST' });
    const stream = metrics.requestStarted({ route: '/v1/chat/completions', method: 'POST' });
    stream.streamStarted();
    let samples = await scrape();
    expect(sample(samples, 'gatehouse_http_requests_in_flight')).toBe(2);
    expect(sample(samples, 'gatehouse_streams_in_flight')).toBe(1);

    stream.finished({ status: 200 });
    stream.finished({ status: 200 });
    plain.finished({ status: 200 });
    samples = await scrape();
    expect(sample(samples, 'gatehouse_http_requests_in_flight')).toBe(0);
    expect(sample(samples, 'gatehouse_streams_in_flight')).toBe(0);
    const streamed = { route: '/v1/chat/completions', method: 'POST', status_class: '2xx', stream: 'true' };
    expect(sample(samples, 'gatehouse_http_request_duration_seconds_count', streamed)).toBe(1);
  });
});

describe('routing metrics', () => {
  it('records attempts, time to first token, retries, fail-overs and breaker changes', async () => {
    const { metrics, scrape } = build({
      knownProviders: ['openai', 'anthropic'],
      knownTargets: ['openai/gpt-4o-mini'],
    });
    // The observer must fit routing's interface as it is, without telemetry importing routing.
    const observer: RouterObserver = metrics.routerObserver();
    observer.attempt({
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'failure',
      errorCode: 'upstream_rate_limited',
      failureKind: 'http',
      durationMs: 120,
    });
    observer.retry({ provider: 'openai', model: 'gpt-4o-mini', delayMs: 250 });
    observer.attempt({
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'failure',
      errorCode: 'upstream_unavailable',
      failureKind: 'http',
      durationMs: 80,
    });
    observer.failover({ from: 'openai/gpt-4o-mini', reason: 'error' });
    observer.attempt({
      provider: 'anthropic',
      model: 'claude',
      outcome: 'success',
      durationMs: 400,
      firstTokenMs: 300,
    });
    observer.breakerChange({ target: 'openai/gpt-4o-mini', state: 'open' });

    const samples = await scrape();
    const openai = { provider: 'openai', model: 'gpt-4o-mini', outcome: 'failure' };
    expect(
      sample(samples, 'gatehouse_upstream_requests_total', {
        ...openai,
        error_class: 'upstream_rate_limited',
      }),
    ).toBe(1);
    expect(
      sample(samples, 'gatehouse_upstream_requests_total', {
        ...openai,
        error_class: 'upstream_unavailable',
      }),
    ).toBe(1);
    const anthropic = { provider: 'anthropic', model: 'claude' };
    expect(
      sample(samples, 'gatehouse_upstream_requests_total', {
        ...anthropic,
        outcome: 'success',
        error_class: 'none',
      }),
    ).toBe(1);
    expect(sample(samples, 'gatehouse_upstream_request_duration_seconds_count', openai)).toBe(2);
    expect(sample(samples, 'gatehouse_upstream_request_duration_seconds_sum', openai)).toBeCloseTo(0.2);
    expect(sample(samples, 'gatehouse_upstream_time_to_first_token_seconds_count', anthropic)).toBe(1);
    expect(
      sample(samples, 'gatehouse_upstream_time_to_first_token_seconds_count', {
        provider: 'openai',
        model: 'gpt-4o-mini',
      }),
    ).toBeUndefined();
    expect(
      sample(samples, 'gatehouse_upstream_retries_total', { provider: 'openai', model: 'gpt-4o-mini' }),
    ).toBe(1);
    expect(
      sample(samples, 'gatehouse_failovers_total', { target: 'openai/gpt-4o-mini', reason: 'error' }),
    ).toBe(1);
    expect(sample(samples, 'gatehouse_circuit_breaker_state', { target: 'openai/gpt-4o-mini' })).toBe(2);
    expect(
      sample(samples, 'gatehouse_circuit_breaker_transitions_total', {
        target: 'openai/gpt-4o-mini',
        state: 'open',
      }),
    ).toBe(1);
  });

  it('reports known targets as closed before any breaker changes', async () => {
    const { scrape } = build({ knownTargets: ['openai/gpt-4o-mini'] });
    expect(sample(await scrape(), 'gatehouse_circuit_breaker_state', { target: 'openai/gpt-4o-mini' })).toBe(
      0,
    );
  });
});

describe('accounting and limit metrics', () => {
  it('adds tokens by type and cost by key, requested model and provider', async () => {
    const { metrics, scrape } = build({ knownKeys: () => new Set(['key_a']) });
    const record = {
      keyId: 'key_a',
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 40 },
      costUsd: 0.0015,
      attempts: 2,
      overheadMs: 0.8,
    };
    metrics.requestRecord(record);
    metrics.requestRecord({ ...record, attempts: 1 });
    metrics.requestRecord({
      keyId: 'key_a',
      model: 'gpt-4o-mini',
      provider: undefined,
      usage: undefined,
      attempts: 0,
    });

    const samples = await scrape();
    const labels = { key: 'key_a', model: 'gpt-4o-mini', provider: 'openai' };
    expect(sample(samples, 'gatehouse_tokens_total', { ...labels, type: 'prompt' })).toBe(200);
    expect(sample(samples, 'gatehouse_tokens_total', { ...labels, type: 'completion' })).toBe(40);
    expect(sample(samples, 'gatehouse_tokens_total', { ...labels, type: 'cached' })).toBe(80);
    expect(sample(samples, 'gatehouse_cost_usd_total', labels)).toBeCloseTo(0.003);
    expect(sample(samples, 'gatehouse_request_attempts_count')).toBe(2);
    expect(sample(samples, 'gatehouse_request_attempts_sum')).toBe(3);
    expect(sample(samples, 'gatehouse_gateway_overhead_seconds_count')).toBe(2);
    expect(sample(samples, 'gatehouse_gateway_overhead_seconds_bucket', { le: '0.001' })).toBe(2);
  });

  it('never throws on malformed figures', async () => {
    const { metrics, scrape } = build();
    const usage = { inputTokens: Number.NaN, outputTokens: -1, cachedInputTokens: Infinity };
    expect(() => {
      metrics.requestRecord({
        keyId: 'k',
        model: 'claude',
        provider: 'anthropic',
        usage,
        costUsd: -2,
        attempts: 1,
        overheadMs: Number.NaN,
      });
      metrics
        .routerObserver()
        .attempt({ provider: 'p', model: 'claude', outcome: 'success', durationMs: Number.NaN });
      metrics.budgetUsed('key:k', Number.NaN);
      metrics.requestStarted({ route: '/x', method: 'GET' }).finished({ status: 9_999 });
    }).not.toThrow();
    const samples = await scrape();
    expect(
      sample(samples, 'gatehouse_http_requests_total', {
        route: '/x',
        method: 'GET',
        status: 'other',
        status_class: 'other',
      }),
    ).toBe(1);
  });

  it('counts rate-limit and budget rejections, budget use, cache results and scrape-time readings', async () => {
    let degraded: string | undefined = 'redis unreachable';
    const { metrics, scrape } = build({
      sources: {
        usage: () => ({ buffered: 12, spooledFiles: 3, databaseAvailable: false }),
        limiterHealth: () => ({ degraded }),
      },
    });
    metrics.rateLimited('requests');
    metrics.rateLimited('requests');
    metrics.rateLimited('tokens');
    metrics.budgetExceeded('team');
    metrics.budgetUsed('key:key_a', 0.95);
    metrics.cacheResult('exact', 'hit');
    metrics.cacheResult('exact', 'miss');
    metrics.cacheResult('exact', 'hit');

    let samples = await scrape();
    expect(sample(samples, 'gatehouse_rate_limit_rejections_total', { limit: 'requests' })).toBe(2);
    expect(sample(samples, 'gatehouse_rate_limit_rejections_total', { limit: 'tokens' })).toBe(1);
    expect(sample(samples, 'gatehouse_budget_rejections_total', { scope_type: 'team' })).toBe(1);
    expect(sample(samples, 'gatehouse_budget_used_ratio', { scope: 'key:key_a' })).toBe(0.95);
    expect(sample(samples, 'gatehouse_cache_requests_total', { layer: 'exact', result: 'hit' })).toBe(2);
    expect(sample(samples, 'gatehouse_cache_requests_total', { layer: 'exact', result: 'miss' })).toBe(1);
    expect(sample(samples, 'gatehouse_usage_buffer_records')).toBe(12);
    expect(sample(samples, 'gatehouse_usage_spool_files')).toBe(3);
    expect(sample(samples, 'gatehouse_usage_database_available')).toBe(0);
    expect(sample(samples, 'gatehouse_limits_degraded')).toBe(1);

    degraded = undefined;
    samples = await scrape();
    expect(sample(samples, 'gatehouse_limits_degraded')).toBe(0);
  });
});

describe('label cardinality', () => {
  it('folds unknown models into other once the budget is spent, while known ones keep their names', async () => {
    const { metrics, scrape } = build({ maxLabelValues: 3 });
    const observer = metrics.routerObserver();
    // Two known models already count towards the budget of three: one unknown fits, the rest fold.
    for (const model of ['gpt-4o-mini', 'claude', 'random-1', 'random-2', 'random-3', 'claude']) {
      observer.retry({ provider: 'openai', model, delayMs: 1 });
    }
    const samples = await scrape();
    const retries = (model: string) =>
      sample(samples, 'gatehouse_upstream_retries_total', { provider: 'openai', model });
    expect(retries('gpt-4o-mini')).toBe(1);
    expect(retries('claude')).toBe(2);
    expect(retries('random-1')).toBe(1);
    expect(retries('random-2')).toBeUndefined();
    expect(retries('other')).toBe(2);
  });

  it('keeps HTTP methods to the standard ones', async () => {
    const { metrics, scrape } = build();
    metrics.requestStarted({ route: 'unmatched', method: 'BREW' }).finished({ status: 404 });
    const samples = await scrape();
    expect(
      sample(samples, 'gatehouse_http_requests_total', {
        route: 'unmatched',
        method: 'other',
        status: '404',
        status_class: '4xx',
      }),
    ).toBe(1);
  });
});

describe('registry', () => {
  it('keeps every metric on its own registry, process metrics included, so that instances never clash', async () => {
    const first = build();
    const second = build();
    first.metrics.rateLimited('global');
    const families = metricFamilies(await first.metrics.render());
    expect(families.get('gatehouse_process_cpu_seconds_total')).toBe('counter');
    expect(families.get('gatehouse_nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect([...families.keys()].every((name) => name.startsWith('gatehouse_'))).toBe(true);
    expect(
      sample(await second.scrape(), 'gatehouse_rate_limit_rejections_total', { limit: 'global' }),
    ).toBeUndefined();
    expect(first.metrics.contentType).toMatch(/^text\/plain/);
  });
});

describe('analytics metrics', () => {
  it('show each agent and policy as analytics reads them, agents with keys always by name', async () => {
    const { metrics, scrape } = build({ maxLabelValues: 2, knownAgents: () => ['keyed-bot'] });
    const agents = [
      { agent: 'a-bot', reputation: 0.9, anomaly: 0.1 },
      { agent: 'b-bot', reputation: 0.5, anomaly: 0 },
      { agent: 'c-bot', reputation: 0.3, anomaly: 0.2 },
      { agent: 'd-bot', reputation: 0.8, anomaly: 0.95 },
      { agent: 'keyed-bot', reputation: 0.7, anomaly: undefined },
    ];
    metrics.readAnalyticsFrom(() => ({
      agents,
      policies: [{ policy: 'agents-may-act', effectiveness: 0.4 }],
    }));
    const samples = await scrape();
    expect(sample(samples, 'gatehouse_agent_reputation', { agent: 'a-bot' })).toBe(0.9);
    expect(sample(samples, 'gatehouse_agent_reputation', { agent: 'keyed-bot' })).toBe(0.7);
    // Past the budget, agents fold into `other`, which shows the worst of them.
    expect(sample(samples, 'gatehouse_agent_reputation', { agent: 'other' })).toBe(0.3);
    expect(sample(samples, 'gatehouse_agent_anomaly', { agent: 'other' })).toBe(0.95);
    expect(sample(samples, 'gatehouse_agent_anomaly', { agent: 'keyed-bot' })).toBeUndefined();
    expect(sample(samples, 'gatehouse_policy_effectiveness', { policy: 'agents-may-act' })).toBe(0.4);
  });

  it('count human reviews by reason and delegations by delegator, delegatee and outcome', async () => {
    const { metrics, scrape } = build();
    metrics.humanReviewQueued('confidence');
    metrics.humanReviewQueued('confidence');
    metrics.delegated('orchestrator', 'researcher', 'granted');
    const samples = await scrape();
    expect(sample(samples, 'gatehouse_agent_human_reviews_total', { reason: 'confidence' })).toBe(2);
    expect(
      sample(samples, 'gatehouse_agent_delegations_total', {
        delegator: 'orchestrator',
        delegatee: 'researcher',
        outcome: 'granted',
      }),
    ).toBe(1);
  });
});
