import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/config/schema.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/http.js';
import { startScriptedUpstream } from './support/scripted-upstream.js';
import {
  addUsage,
  chat,
  createKey,
  freePort,
  scrape,
  waitFor,
  zeroUsage,
  type ChatAnswer,
  type Scrape,
  type Usage,
} from './support/telemetry.js';

/**
 * SPEC section 12 / issue 7: after known traffic through the real gateway, `/metrics` (the admin
 * route on the main port and the unauthenticated metrics port) reports exactly that traffic —
 * successes, a retry, a fail-over, a cache hit and a 429 — with exact counter values and
 * histogram counts, token and cost counters by key, model and provider, breaker states, in-flight
 * gauges back at zero, and label values bounded.
 */

const chatRoute = '/v1/chat/completions';
/** USD per 1M tokens for the one priced target; the mock is otherwise free. */
const price = { input: 1, output: 2 };

function costOf(usage: Usage): number {
  return (usage.prompt * price.input + usage.completion * price.output) / 1_000_000;
}

const baseConfig = (metricsPort: number): ConfigInput => ({
  server: { metrics_port: metricsPort },
  pricing: { 'mock/mock-steady': price },
  models: {
    steady: { targets: [{ provider: 'mock', model: 'mock-steady' }] },
    // The mock fails the first request for this target with a 500, then answers: one retry.
    flaky: {
      targets: [{ provider: 'mock', model: 'mock-500-once' }],
      retry: { attempts: 3, backoff_ms: 1, max_backoff_ms: 5 },
    },
    // Always 503, one attempt, then the `steady` model: one fail-over.
    fragile: {
      targets: [{ provider: 'mock', model: 'mock-503' }],
      fallbacks: ['steady'],
      retry: { attempts: 1 },
    },
  },
});

describe('metrics after known traffic', () => {
  let gateway: TestGateway;
  let metricsPort: number;
  let limitedKey: { id: string; secret: string };
  const answers: Record<string, ChatAnswer[]> = {};
  let viaMetricsPort: Scrape;

  const record = (name: string, answer: ChatAnswer) => {
    (answers[name] ??= []).push(answer);
    return answer;
  };
  const usageOf = (name: string): Usage =>
    (answers[name] ?? []).reduce((total, answer) => addUsage(total, answer.usage), zeroUsage);

  beforeAll(async () => {
    metricsPort = await freePort();
    gateway = await startTestGateway(baseConfig(metricsPort));
    const master = gateway.masterKey;
    const url = gateway.url;

    // Four successes without cache (no temperature: sampled, so not cached), one of them a stream.
    for (let index = 0; index < 3; index++) {
      record(
        'steady',
        await chat(url, master, { model: 'steady', messages: [{ role: 'user', content: `n${index}` }] }),
      );
    }
    record(
      'steady',
      await chat(url, master, { model: 'steady', stream: true, stream_options: { include_usage: true } }),
    );
    // A retry, and a fail-over.
    record('flaky', await chat(url, master, { model: 'flaky' }));
    record('fragile', await chat(url, master, { model: 'fragile' }));
    // The same deterministic request twice: a miss that is stored, then a hit.
    const cacheable = { model: 'steady', temperature: 0, messages: [{ role: 'user', content: 'cache me' }] };
    record('steady', await chat(url, master, cacheable));
    record('cache-hit', await chat(url, master, cacheable));
    // A key allowed one request a minute: the second is refused with 429.
    limitedKey = await createKey(url, master, { name: 'limited', limits: { requests_per_minute: 1 } });
    record('limited', await chat(url, limitedKey.secret, { model: 'steady' }));
    record('limited', await chat(url, limitedKey.secret, { model: 'steady' }));

    // Accounting (and so tokens, cost, attempts and overhead) completes just after each answer.
    await waitFor(
      () => (gateway.logRecords().filter((line) => line.msg === 'request').length === 10 ? true : undefined),
      'a log line for each of the 10 requests',
    );
    viaMetricsPort = await waitFor(async () => {
      const scraped = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      return scraped.sum('gatehouse_http_requests_total', { route: chatRoute }) === 10 ? scraped : undefined;
    }, 'every chat request to be counted');
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('answered the traffic as planned', () => {
    expect(answers.steady?.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.flaky?.[0]?.status).toBe(200);
    expect(answers.flaky?.[0]?.response.headers['x-gatehouse-attempts']).toBe('2');
    expect(answers.fragile?.[0]?.status).toBe(200);
    expect(answers['cache-hit']?.[0]?.status).toBe(200);
    expect(answers.limited?.map((answer) => answer.status)).toEqual([200, 429]);
    for (const name of ['steady', 'flaky', 'fragile', 'cache-hit'])
      expect(usageOf(name).prompt, name).toBeGreaterThan(0);
  });

  it('serves the Prometheus text format on the metrics port without authentication', async () => {
    expect(viaMetricsPort.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const head = await rawRequest(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await rawRequest(`http://127.0.0.1:${metricsPort}/other`, { method: 'GET' })).status).toBe(404);
  });

  it('serves /metrics on the main port to the admin key only', async () => {
    const anonymous = await rawRequest(`${gateway.url}/metrics`, { method: 'GET' });
    expect(anonymous.status).toBe(401);
    const user = await rawRequest(`${gateway.url}/metrics`, {
      method: 'GET',
      headers: { authorization: `Bearer ${limitedKey.secret}` },
    });
    expect(user.status).toBe(403);
    const admin = await scrape(`${gateway.url}/metrics`, { authorization: `Bearer ${gateway.masterKey}` });
    // The same registry: the traffic's counters are identical on both listeners.
    for (const name of [
      'gatehouse_upstream_requests_total',
      'gatehouse_tokens_total',
      'gatehouse_cache_requests_total',
      'gatehouse_failovers_total',
    ]) {
      expect(admin.seriesOf(name), name).toEqual(viaMetricsPort.seriesOf(name));
    }
    // The admin scrape counts itself in flight while it renders; nothing else is.
    expect(admin.value('gatehouse_http_requests_in_flight')).toBe(1);
    // ... and the two refused scrapes were answered and counted on the main port.
    // (A request is counted when its connection reports the response closed, a moment after the
    // client has read it.)
    const after = await waitFor(async () => {
      const scraped = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      return scraped.sum('gatehouse_http_requests_total', { route: '/metrics' }) === 3 ? scraped : undefined;
    }, 'the three scrapes of the main port to be counted');
    const metricsRequests = (status: string) =>
      after.value('gatehouse_http_requests_total', {
        route: '/metrics',
        method: 'GET',
        status,
        status_class: `${status[0] ?? ''}xx`,
      });
    expect(metricsRequests('401')).toBe(1);
    expect(metricsRequests('403')).toBe(1);
    expect(metricsRequests('200')).toBe(1);
  });

  it('counts HTTP requests by route, method and status, and their durations', () => {
    const scraped = viaMetricsPort;
    const http = (status: string) => ({
      route: chatRoute,
      method: 'POST',
      status,
      status_class: `${status[0] ?? ''}xx`,
    });
    expect(scraped.seriesOf('gatehouse_http_requests_total')).toEqual(
      expect.arrayContaining([
        { name: 'gatehouse_http_requests_total', labels: http('200'), value: 9 },
        { name: 'gatehouse_http_requests_total', labels: http('429'), value: 1 },
        {
          name: 'gatehouse_http_requests_total',
          labels: { route: '/admin/keys', method: 'POST', status: '201', status_class: '2xx' },
          value: 1,
        },
      ]),
    );
    expect(scraped.seriesOf('gatehouse_http_requests_total')).toHaveLength(3);
    const duration = (statusClass: string, stream: string) => ({
      route: chatRoute,
      method: 'POST',
      status_class: statusClass,
      stream,
    });
    expect(scraped.value('gatehouse_http_request_duration_seconds_count', duration('2xx', 'false'))).toBe(8);
    expect(scraped.value('gatehouse_http_request_duration_seconds_count', duration('2xx', 'true'))).toBe(1);
    expect(scraped.value('gatehouse_http_request_duration_seconds_count', duration('4xx', 'false'))).toBe(1);
    expect(
      scraped.value('gatehouse_http_request_duration_seconds_bucket', {
        ...duration('2xx', 'false'),
        le: '+Inf',
      }),
    ).toBe(8);
  });

  it('counts upstream attempts, retries and fail-overs exactly', () => {
    const scraped = viaMetricsPort;
    const attempts = (model: string, outcome: string, errorClass: string) => ({
      provider: 'mock',
      model,
      outcome,
      error_class: errorClass,
    });
    // steady: 4 + the cache miss + the limited key's one + the fail-over's answer.
    const expected = [
      { labels: attempts('mock-steady', 'success', 'none'), value: 7 },
      { labels: attempts('mock-500-once', 'failure', 'upstream_error'), value: 1 },
      { labels: attempts('mock-500-once', 'success', 'none'), value: 1 },
      { labels: attempts('mock-503', 'failure', 'upstream_unavailable'), value: 1 },
    ];
    expect(
      scraped.seriesOf('gatehouse_upstream_requests_total').map(({ labels, value }) => ({ labels, value })),
    ).toEqual(expect.arrayContaining(expected));
    expect(scraped.seriesOf('gatehouse_upstream_requests_total')).toHaveLength(expected.length);
    for (const { labels, value } of expected) {
      const { error_class: _errorClass, ...durationLabels } = labels;
      expect(scraped.value('gatehouse_upstream_request_duration_seconds_count', durationLabels)).toBe(value);
    }
    // Time to first token: the one streaming attempt.
    expect(
      scraped.seriesOf('gatehouse_upstream_time_to_first_token_seconds_count').map(({ labels, value }) => ({
        labels,
        value,
      })),
    ).toEqual([{ labels: { provider: 'mock', model: 'mock-steady' }, value: 1 }]);
    expect(scraped.seriesOf('gatehouse_upstream_retries_total')).toEqual([
      {
        name: 'gatehouse_upstream_retries_total',
        labels: { provider: 'mock', model: 'mock-500-once' },
        value: 1,
      },
    ]);
    expect(scraped.seriesOf('gatehouse_failovers_total')).toEqual([
      { name: 'gatehouse_failovers_total', labels: { target: 'mock/mock-503', reason: 'error' }, value: 1 },
    ]);
  });

  it('observes attempts per request and the gateway overhead once per routed request', () => {
    const scraped = viaMetricsPort;
    // Routed: 4 steady, flaky (2 attempts), fragile (2), the cache miss, the limited key's first.
    expect(scraped.value('gatehouse_request_attempts_count')).toBe(8);
    expect(scraped.value('gatehouse_request_attempts_sum')).toBe(10);
    expect(scraped.value('gatehouse_request_attempts_bucket', { le: '1' })).toBe(6);
    expect(scraped.value('gatehouse_request_attempts_bucket', { le: '2' })).toBe(8);
    expect(scraped.value('gatehouse_request_attempts_bucket', { le: '+Inf' })).toBe(8);
    // Overhead: the routed requests and the cache hit; the 429 never reached the cache or routing.
    expect(scraped.value('gatehouse_gateway_overhead_seconds_count')).toBe(9);
    expect(scraped.value('gatehouse_gateway_overhead_seconds_bucket', { le: '+Inf' })).toBe(9);
  });

  it('counts cache lookups and the rate-limit rejection', () => {
    const scraped = viaMetricsPort;
    expect(
      scraped.seriesOf('gatehouse_cache_requests_total').map(({ labels, value }) => ({ labels, value })),
    ).toEqual(
      expect.arrayContaining([
        { labels: { layer: 'l1', result: 'miss' }, value: 1 },
        { labels: { layer: 'l1', result: 'hit' }, value: 1 },
        // Sampled requests are not cached: 4 steady, flaky, fragile, the limited key's first.
        { labels: { layer: 'none', result: 'bypass' }, value: 7 },
      ]),
    );
    expect(scraped.seriesOf('gatehouse_cache_requests_total')).toHaveLength(3);
    expect(scraped.seriesOf('gatehouse_rate_limit_rejections_total')).toEqual([
      { name: 'gatehouse_rate_limit_rejections_total', labels: { limit: 'requests' }, value: 1 },
    ]);
    expect(scraped.seriesOf('gatehouse_budget_rejections_total')).toEqual([]);
  });

  it('counts tokens and cost by key id, requested model and answering provider', () => {
    const scraped = viaMetricsPort;
    const steadyUsage = usageOf('steady');
    const limitedUsage = usageOf('limited');
    const expected: { key: string; model: string; provider: string; usage: Usage; cost: number }[] = [
      { key: 'master', model: 'steady', provider: 'mock', usage: steadyUsage, cost: costOf(steadyUsage) },
      { key: 'master', model: 'flaky', provider: 'mock', usage: usageOf('flaky'), cost: 0 },
      // Answered by the fallback, `steady`'s priced target; labelled with the model asked for.
      {
        key: 'master',
        model: 'fragile',
        provider: 'mock',
        usage: usageOf('fragile'),
        cost: costOf(usageOf('fragile')),
      },
      // A cache hit: no provider answered, nothing was spent.
      { key: 'master', model: 'steady', provider: 'none', usage: usageOf('cache-hit'), cost: 0 },
      {
        key: limitedKey.id,
        model: 'steady',
        provider: 'mock',
        usage: limitedUsage,
        cost: costOf(limitedUsage),
      },
    ];
    for (const { key, model, provider, usage, cost } of expected) {
      const labels = { key, model, provider };
      expect(
        scraped.value('gatehouse_tokens_total', { ...labels, type: 'prompt' }),
        `${key} ${model} ${provider}`,
      ).toBe(usage.prompt);
      expect(scraped.value('gatehouse_tokens_total', { ...labels, type: 'completion' })).toBe(
        usage.completion,
      );
      expect(scraped.value('gatehouse_tokens_total', { ...labels, type: 'cached' })).toBe(usage.cached);
      expect(scraped.value('gatehouse_cost_usd_total', labels)).toBeCloseTo(cost, 12);
    }
    expect(scraped.seriesOf('gatehouse_tokens_total')).toHaveLength(expected.length * 3);
    expect(scraped.seriesOf('gatehouse_cost_usd_total')).toHaveLength(expected.length);
    expect(costOf(steadyUsage)).toBeGreaterThan(0);
    // Key ids only: the key's secret is never a label value.
    expect(scraped.text).not.toContain(limitedKey.secret);
  });

  it('reports every configured target closed, and nothing in flight', () => {
    const scraped = viaMetricsPort;
    expect(
      scraped.seriesOf('gatehouse_circuit_breaker_state').map(({ labels, value }) => ({ labels, value })),
    ).toEqual(
      expect.arrayContaining([
        { labels: { target: 'mock/mock-steady' }, value: 0 },
        { labels: { target: 'mock/mock-500-once' }, value: 0 },
        { labels: { target: 'mock/mock-503' }, value: 0 },
      ]),
    );
    expect(scraped.seriesOf('gatehouse_circuit_breaker_state')).toHaveLength(3);
    expect(scraped.seriesOf('gatehouse_circuit_breaker_transitions_total')).toEqual([]);
    expect(scraped.value('gatehouse_http_requests_in_flight')).toBe(0);
    expect(scraped.value('gatehouse_streams_in_flight')).toBe(0);
    expect(scraped.value('gatehouse_limits_degraded')).toBe(0);
    expect(scraped.value('gatehouse_usage_database_available')).toBe(1);
    expect(scraped.value('gatehouse_usage_spool_files')).toBe(0);
  });

  it('includes the process metrics with the gatehouse_ prefix', () => {
    for (const name of [
      'gatehouse_process_cpu_seconds_total',
      'gatehouse_process_resident_memory_bytes',
      'gatehouse_nodejs_eventloop_lag_p99_seconds',
      'gatehouse_nodejs_heap_size_used_bytes',
      'gatehouse_nodejs_version_info',
    ]) {
      expect(viaMetricsPort.families.has(name), name).toBe(true);
    }
    expect([...viaMetricsPort.families.keys()].every((name) => name.startsWith('gatehouse_'))).toBe(true);
  });
});

describe('metrics of an open circuit breaker', () => {
  let gateway: TestGateway;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    gateway = await startTestGateway({
      server: { metrics_port: metricsPort },
      // Two failures out of two open the breaker, for a minute.
      circuit_breaker: { minimum_requests: 2, failure_rate: 1, open_ms: 60_000 },
      models: {
        healthy: { targets: [{ provider: 'mock', model: 'mock-healthy' }] },
        broken: {
          targets: [{ provider: 'mock', model: 'mock-503' }],
          fallbacks: ['healthy'],
          retry: { attempts: 1 },
        },
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('shows the breaker open, its transition, and the fail-overs it caused', async () => {
    for (let index = 0; index < 3; index++) {
      expect((await chat(gateway.url, gateway.masterKey, { model: 'broken' })).status).toBe(200);
    }
    await waitFor(
      () => (gateway.logRecords().filter((line) => line.msg === 'request').length === 3 ? true : undefined),
      'the three requests to finish',
    );
    const scraped = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.value('gatehouse_circuit_breaker_state', { target: 'mock/mock-503' })).toBe(2);
    expect(scraped.value('gatehouse_circuit_breaker_state', { target: 'mock/mock-healthy' })).toBe(0);
    expect(scraped.seriesOf('gatehouse_circuit_breaker_transitions_total')).toEqual([
      {
        name: 'gatehouse_circuit_breaker_transitions_total',
        labels: { target: 'mock/mock-503', state: 'open' },
        value: 1,
      },
    ]);
    // Two attempts failed and failed over; the third request skipped the open breaker.
    expect(
      scraped.value('gatehouse_upstream_requests_total', {
        provider: 'mock',
        model: 'mock-503',
        outcome: 'failure',
        error_class: 'upstream_unavailable',
      }),
    ).toBe(2);
    // A target skipped for its open breaker is one fail-over, `breaker-open`, not also an `error`.
    expect(
      scraped.value('gatehouse_failovers_total', { target: 'mock/mock-503', reason: 'error' }),
      'fail-overs for errors (the skipped attempt must not count as one)',
    ).toBe(2);
    expect(
      scraped.value('gatehouse_failovers_total', { target: 'mock/mock-503', reason: 'breaker-open' }),
    ).toBe(1);
    expect(scraped.value('gatehouse_request_attempts_count')).toBe(3);
    expect(scraped.value('gatehouse_request_attempts_sum')).toBe(5);
  });
});

describe('label cardinality', () => {
  const maxLabelValues = 3;
  let gateway: TestGateway;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    gateway = await startTestGateway({
      server: { metrics_port: metricsPort },
      metrics: { max_label_values: maxLabelValues },
      models: {
        alpha: { targets: [{ provider: 'mock', model: 'mock-alpha' }] },
        beta: { targets: [{ provider: 'mock', model: 'mock-beta' }] },
        gamma: { targets: [{ provider: 'mock', model: 'mock-gamma' }] },
        delta: { targets: [{ provider: 'mock', model: 'mock-delta' }] },
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('folds unknown model names into `other` once the budget is spent; configured names keep theirs', async () => {
    const invented = Array.from({ length: 12 }, (_, index) => `mock-invented-${index}`);
    // Made-up names first (the mock serves any name containing "mock"), then every configured model.
    for (const model of invented)
      expect((await chat(gateway.url, gateway.masterKey, { model })).status).toBe(200);
    for (const model of ['alpha', 'beta', 'gamma', 'delta'])
      expect((await chat(gateway.url, gateway.masterKey, { model })).status).toBe(200);
    const total = invented.length + 4;
    await waitFor(
      () =>
        gateway.logRecords().filter((line) => line.msg === 'request').length === total ? true : undefined,
      'every chat request to finish',
    );
    // Unknown routes never become labels either.
    for (let index = 0; index < 10; index++) {
      const response = await rawRequest(`${gateway.url}/v1/unknown-${index}`, { method: 'GET' });
      expect(response.status).toBe(404);
    }
    const scraped = await waitFor(async () => {
      const result = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      return result.sum('gatehouse_http_requests_total') === total + 10 ? result : undefined;
    }, 'every request to be counted');

    const admittedInvented = invented.slice(0, maxLabelValues);
    const configured = ['alpha', 'beta', 'gamma', 'delta'];
    const targets = configured.map((name) => `mock-${name}`);

    const tokenModels = new Set(
      scraped.seriesOf('gatehouse_tokens_total').map((entry) => entry.labels.model),
    );
    expect([...tokenModels].sort()).toEqual([...admittedInvented, ...configured, 'other'].sort());
    const upstreamModels = new Set(
      scraped.seriesOf('gatehouse_upstream_requests_total').map((entry) => entry.labels.model),
    );
    expect([...upstreamModels].sort()).toEqual([...admittedInvented, ...targets, 'other'].sort());
    // The folded requests are still counted, under `other`.
    const foldedCount = invented.length - maxLabelValues;
    expect(
      scraped.value('gatehouse_upstream_requests_total', {
        provider: 'mock',
        model: 'other',
        outcome: 'success',
        error_class: 'none',
      }),
    ).toBe(foldedCount);
    expect(scraped.sum('gatehouse_tokens_total', { model: 'other', type: 'prompt' })).toBeGreaterThan(0);

    const routes = new Set(
      scraped.seriesOf('gatehouse_http_requests_total').map((entry) => entry.labels.route),
    );
    expect([...routes].sort()).toEqual([chatRoute, 'unmatched'].sort());
    expect(scraped.sum('gatehouse_http_requests_total', { route: 'unmatched', status: '404' })).toBe(10);
    expect(scraped.text).not.toContain('unknown-');
    for (const name of invented.slice(maxLabelValues)) expect(scraped.text).not.toContain(`"${name}"`);
  });

  it('keeps every issued key id as a label, however many there are', async () => {
    const keys = [];
    for (let index = 0; index < maxLabelValues + 3; index++) {
      keys.push(await createKey(gateway.url, gateway.masterKey, { name: `caller-${index}` }));
    }
    expect((await chat(gateway.url, gateway.masterKey, { model: 'alpha' })).status).toBe(200);
    for (const key of keys)
      expect((await chat(gateway.url, key.secret, { model: 'alpha' })).status).toBe(200);
    const ids = new Set(keys.map((key) => key.id));
    await waitFor(() => {
      const logged = gateway
        .logRecords()
        .filter((line) => line.msg === 'request' && ids.has(line.key_id as string));
      return logged.length === keys.length ? true : undefined;
    }, 'the requests of every key to be accounted');
    const scraped = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    const keyLabels = new Set(
      scraped
        .seriesOf('gatehouse_tokens_total')
        .filter((entry) => entry.labels.model === 'alpha')
        .map((entry) => entry.labels.key),
    );
    expect([...keyLabels].sort()).toEqual(['master', ...keys.map((key) => key.id)].sort());
  });
});

describe('metrics of an answer that reported no usage', () => {
  it('count the tokens the gateway counted itself, as the log line and the usage record do', async () => {
    const upstream = await startScriptedUpstream();
    const metricsPort = await freePort();
    const gateway = await startTestGateway({
      server: { metrics_port: metricsPort },
      providers: { scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1`, api_key: 'sk-x' } },
      models: { quiet: { targets: [{ provider: 'scripted', model: 'upstream-model' }] } },
    });
    try {
      // The scripted upstream's streams carry no usage, even when asked to.
      const answer = await chat(gateway.url, gateway.masterKey, {
        model: 'quiet',
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(answer.status).toBe(200);
      const logged = await waitFor(
        () => gateway.logRecords().find((line) => line.msg === 'request'),
        'the request to be accounted',
      );
      expect(logged.input_tokens).toBeGreaterThan(0);
      expect(logged.output_tokens).toBeGreaterThan(0);
      const scraped = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      const labels = { key: 'master', model: 'quiet', provider: 'scripted' };
      expect(scraped.value('gatehouse_tokens_total', { ...labels, type: 'prompt' })).toBe(
        logged.input_tokens,
      );
      expect(scraped.value('gatehouse_tokens_total', { ...labels, type: 'completion' })).toBe(
        logged.output_tokens,
      );
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
