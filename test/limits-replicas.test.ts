import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePromptTokensFast } from '../src/accounting/token-counter.js';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import {
  chat,
  createKey,
  errorOf,
  eventually,
  generousLimits,
  isolatedState,
  redisAddress,
  redisUrlVia,
  usageRows,
  writeConfigFile,
  type IsolatedState,
} from './support/shared-state.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/**
 * Limits are exact across replicas: three gateway processes share one Redis and one Postgres, and
 * a burst of 600 simultaneous requests spread over the three is admitted exactly as far as the
 * key's limit allows — requests per minute, tokens per minute, and a budget, which a burst may not
 * overspend by more than what requests in flight estimated.
 */

const replicaCount = 3;
const burstSize = 600;
/** $10 per million tokens in and out: one token costs 10 micro-dollars. */
const pricePerMillion = 10;

interface Outcome {
  readonly replica: number;
  readonly response: RawResponse;
  /** When the answer had fully arrived, relative to the burst's start. */
  readonly doneMs: number;
}

let state: IsolatedState;
let configPath: string | undefined;
const replicas: (CliProcess & { url: string })[] = [];

/** Sends `burstSize` requests at once, request i to replica i mod 3, each on its own connection. */
async function burst(
  key: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Outcome[]> {
  const started = performance.now();
  return Promise.all(
    Array.from({ length: burstSize }, async (_, index) => {
      const replica = index % replicaCount;
      const response = await chat(replicas[replica]!.url, { key, body, headers });
      return { replica, response, doneMs: performance.now() - started };
    }),
  );
}

/**
 * Warnings the replicas logged (a limit store fallback, a timeout), shown with a failure: a count
 * that is off is explained by them.
 */
function replicaWarnings(): string[] {
  return replicas.flatMap((replica, index) =>
    replica
      .logRecords()
      .filter((record) => record.level === 'warn' || record.level === 'error')
      .map(
        (record) =>
          `replica ${index}: ${String(record.msg)} ${JSON.stringify(record.reason ?? record.err ?? '')}`,
      ),
  );
}

function withStatus(outcomes: readonly Outcome[], status: number): Outcome[] {
  return outcomes.filter((outcome) => outcome.response.status === status);
}

function header(outcome: Outcome, name: string): string | undefined {
  const value = outcome.response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How many each replica admitted, for the report. */
function perReplica(admitted: readonly Outcome[]): number[] {
  return Array.from(
    { length: replicaCount },
    (_, replica) => admitted.filter((outcome) => outcome.replica === replica).length,
  );
}

function expectRateLimited(refused: readonly Outcome[]): void {
  for (const outcome of refused) {
    expect(errorOf(outcome.response).code).toBe('rate_limited');
    expect(Number(header(outcome, 'retry-after'))).toBeGreaterThanOrEqual(1);
  }
}

describe('three replicas sharing Redis enforce one limit together', () => {
  beforeAll(async () => {
    state = await isolatedState('limits');
    const config = writeConfigFile({
      pricing: { 'mock-priced': { input: pricePerMillion, output: pricePerMillion } },
      usage: { flush_interval_ms: 200 },
    });
    configPath = config;
    const started = await Promise.allSettled(
      Array.from({ length: replicaCount }, () =>
        startCliGateway({ env: state.env, args: ['--config', config] }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }, 45_000);

  afterAll(async () => {
    for (const replica of replicas) replica.kill();
    await Promise.all(replicas.map((replica) => replica.exited));
    await state?.cleanUp();
    for (const replica of replicas) rmSync(replica.cwd, { recursive: true, force: true });
    if (configPath !== undefined) rmSync(dirname(configPath), { recursive: true, force: true });
  });

  it('admits exactly 100 of 600 simultaneous requests for a key limited to 100 requests per minute', async () => {
    const key = await createKey(replicas[0]!.url, testMasterKey, {
      name: 'rpm-100',
      limits: { ...generousLimits, requests_per_minute: 100 },
    });
    const outcomes = await burst(key.secret, {
      model: 'mock',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const admitted = withStatus(outcomes, 200);
    const refused = withStatus(outcomes, 429);
    console.info(`requests per minute: admitted per replica ${perReplica(admitted).join(' / ')}`);

    expect(admitted, replicaWarnings().join('\n')).toHaveLength(100);
    expect(refused).toHaveLength(500);
    expectRateLimited(refused);
    for (const outcome of refused) {
      expect(errorOf(outcome.response).message).toMatch(/100 requests per minute/);
      expect(header(outcome, 'x-ratelimit-limit-requests')).toBe('100');
      expect(header(outcome, 'x-ratelimit-remaining-requests')).toBe('0');
      expect(header(outcome, 'x-ratelimit-reset-requests')).toMatch(/^[\dm.]+s$/);
    }
    // One shared counter: each admitted request saw a different remainder, 99 down to 0.
    for (const outcome of admitted) expect(header(outcome, 'x-ratelimit-limit-requests')).toBe('100');
    const remainders = admitted.map((outcome) => Number(header(outcome, 'x-ratelimit-remaining-requests')));
    expect(remainders.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, index) => index));

    // Only the admitted requests are accounted: one usage record each.
    const rows = await eventually(
      () => usageRows(state.db, key.id),
      (found) => found.length >= 100,
      10_000,
      'the usage records of the admitted requests',
    );
    expect(rows).toHaveLength(100);
  });

  it('admits exactly as many requests as the tokens-per-minute limit holds estimates for', async () => {
    const maxTokens = 3;
    const body = {
      model: 'mock',
      max_tokens: maxTokens,
      messages: [{ role: 'user', content: 'x'.repeat(364) }],
    };
    // The gateway reserves the fast prompt estimate (characters / 4, plus 3 per message and 3 for
    // the reply) plus max_tokens: ceil(364 / 4) + 3 + 3 + 3 = 100 tokens per request.
    const estimate = estimatePromptTokensFast(body, 'openai') + maxTokens;
    expect(estimate).toBe(100);
    const tokensPerMinute = 7_777;
    const expected = Math.floor(tokensPerMinute / estimate);
    const key = await createKey(replicas[1]!.url, testMasterKey, {
      name: 'tpm-7777',
      limits: { ...generousLimits, tokens_per_minute: tokensPerMinute },
    });
    // Each admitted request takes 4 s, so none settles (replacing its estimate with its smaller
    // actual usage) while the burst is being decided: the admitted count is then exact.
    const outcomes = await burst(key.secret, body, { 'x-mock-latency-ms': '4000' });
    const admitted = withStatus(outcomes, 200);
    const refused = withStatus(outcomes, 429);
    console.info(
      `tokens per minute: ${tokensPerMinute} / ${estimate} per request -> expected ${expected}, admitted ${admitted.length} (per replica ${perReplica(admitted).join(' / ')})`,
    );
    // The premise: every refusal was decided before the first admitted request finished.
    expect(Math.max(...refused.map((outcome) => outcome.doneMs))).toBeLessThan(
      Math.min(...admitted.map((outcome) => outcome.doneMs)),
    );

    expect(admitted, replicaWarnings().join('\n')).toHaveLength(expected);
    expect(refused).toHaveLength(burstSize - expected);
    expectRateLimited(refused);
    for (const outcome of refused) {
      expect(errorOf(outcome.response).message).toMatch(/tokens per minute/);
      expect(header(outcome, 'x-ratelimit-limit-tokens')).toBe(String(tokensPerMinute));
    }
    const remainders = admitted.map((outcome) => Number(header(outcome, 'x-ratelimit-remaining-tokens')));
    expect(remainders.sort((a, b) => a - b)).toEqual(
      Array.from({ length: expected }, (_, index) => tokensPerMinute - (expected - index) * estimate),
    );
  });

  it('a concurrent burst never spends more of a budget than the estimates in flight allow', async () => {
    const budgetUsd = 0.01;
    const maxTokens = 3;
    const body = { model: 'mock-priced', max_tokens: maxTokens, messages: [{ role: 'user', content: 'Hi' }] };
    // The budget hold: (prompt estimate + max_tokens) at $10/M = (7 + 3) * 10 micro-dollars.
    const estimateMicro = (estimatePromptTokensFast(body, 'openai') + maxTokens) * pricePerMillion;
    expect(estimateMicro).toBe(100);
    const budgetMicro = budgetUsd * 1e6;
    const key = await createKey(replicas[2]!.url, testMasterKey, {
      name: 'budget-1-cent',
      limits: generousLimits,
      budget: { usd: budgetUsd, period: 'total' },
    });

    // Burst 1: nothing settles while it is decided (each admitted request takes 2 s), so the
    // budget holds exactly budget / estimate requests.
    const first = await burst(key.secret, body, { 'x-mock-latency-ms': '2000' });
    const firstAdmitted = withStatus(first, 200);
    const firstRefused = withStatus(first, 429);
    expect(Math.max(...firstRefused.map((outcome) => outcome.doneMs))).toBeLessThan(
      Math.min(...firstAdmitted.map((outcome) => outcome.doneMs)),
    );
    expect(firstAdmitted, replicaWarnings().join('\n')).toHaveLength(budgetMicro / estimateMicro);
    expect(firstRefused).toHaveLength(burstSize - budgetMicro / estimateMicro);
    for (const outcome of firstRefused) {
      expect(errorOf(outcome.response).code).toBe('budget_exceeded');
      expect(errorOf(outcome.response).message).toMatch(/Budget of \$0\.01/);
    }
    const afterFirst = await eventually(
      () => usageRows(state.db, key.id),
      (rows) => rows.length >= firstAdmitted.length,
      10_000,
      'the first burst usage records',
    );
    const actualMicro = Math.round(afterFirst[0]!.cost_usd * 1e6);
    for (const row of afterFirst) {
      // Billed at the configured price for the tokens the mock reported.
      expect(row.cost_usd).toBeCloseTo(((row.input_tokens + row.output_tokens) * pricePerMillion) / 1e6, 12);
      expect(Math.round(row.cost_usd * 1e6)).toBe(actualMicro);
    }
    // Each request really cost less than its hold (the bound is an upper bound).
    expect(actualMicro).toBeLessThanOrEqual(estimateMicro);

    // Burst 2: settlements now race admissions. Whatever the interleaving, admission requires
    // spent + held + this estimate <= budget, and no request costs more than it held, so the
    // recorded spend stays within the budget: total <= budget + sum over requests in flight of
    // (actual - estimate), which is <= budget here.
    const second = await burst(key.secret, body);
    const secondAdmitted = withStatus(second, 200);
    for (const outcome of withStatus(second, 429))
      expect(errorOf(outcome.response).code).toBe('budget_exceeded');
    expect(withStatus(second, 200).length + withStatus(second, 429).length).toBe(burstSize);
    const remainingMicro = budgetMicro - firstAdmitted.length * actualMicro;
    // At least what fits with every admitted estimate held, at most what fits at actual cost.
    expect(secondAdmitted.length).toBeGreaterThanOrEqual(Math.floor(remainingMicro / estimateMicro));
    expect(secondAdmitted.length).toBeLessThanOrEqual(Math.floor(remainingMicro / actualMicro));

    const total = firstAdmitted.length + secondAdmitted.length;
    const rows = await eventually(
      () => usageRows(state.db, key.id),
      (found) => found.length >= total,
      10_000,
      'every usage record of the budget key',
    );
    expect(rows).toHaveLength(total);
    const spentMicro = rows.reduce((sum, row) => sum + Math.round(row.cost_usd * 1e6), 0);
    console.info(
      `budget: $${budgetUsd}, hold ${estimateMicro} µ$, actual ${actualMicro} µ$; burst 1 admitted ${firstAdmitted.length}, burst 2 admitted ${secondAdmitted.length}; recorded spend ${spentMicro} µ$ of ${budgetMicro}`,
    );
    expect(spentMicro).toBeLessThanOrEqual(budgetMicro);

    // What is left cannot hold another request's estimate... unless it can, in which case the
    // next request is admitted; either way the spend never passes the budget.
    const next = await chat(replicas[0]!.url, { key: key.secret, body });
    if (budgetMicro - spentMicro < estimateMicro) {
      expect(next.status).toBe(429);
      expect(errorOf(next).code).toBe('budget_exceeded');
    } else {
      expect(next.status).toBe(200);
    }
  });
});

/**
 * Redis going away: each gateway reaches Redis through a TCP proxy the test cuts. With
 * `on_redis_failure: local` requests keep being answered and each replica enforces a key's limit
 * on its own; with `fail_closed` limited requests are refused with 503. Readiness reports Redis's
 * state, and once the proxy is back the replicas share their counters again by themselves.
 */
describe('when Redis is cut, limits fall back as configured', () => {
  const requestsPerMinute = 4;
  let redisState: IsolatedState;
  let proxy: TcpProxy;
  let local: TestGateway[] = [];
  let closed: TestGateway;

  beforeAll(async () => {
    redisState = await isolatedState('redis_cut');
    proxy = await startTcpProxy(redisAddress());
    const shared = {
      database_url: redisState.env.DATABASE_URL,
      database_schema: redisState.schema,
      redis_url: redisUrlVia(proxy.port),
      redis_key_prefix: redisState.redisPrefix,
    };
    local = [
      await startTestGateway({ ...shared, limits: { on_redis_failure: 'local' } }),
      await startTestGateway({ ...shared, limits: { on_redis_failure: 'local' } }),
    ];
    closed = await startTestGateway({ ...shared, limits: { on_redis_failure: 'fail_closed' } });
  });

  afterAll(async () => {
    await Promise.all([...local, closed].filter(Boolean).map((gateway) => gateway.close()));
    await proxy?.close();
    await redisState?.cleanUp();
  });

  async function readiness(url: string): Promise<{ status: number; checks: Record<string, string> }> {
    const response = await rawRequest(`${url}/health/ready`, { method: 'GET' });
    return {
      status: response.status,
      checks: (JSON.parse(response.text) as { checks: Record<string, string> }).checks,
    };
  }

  async function limiterHealth(gateway: TestGateway): Promise<{ shared: boolean; degraded?: string }> {
    const response = await rawRequest(`${gateway.url}/admin/providers`, {
      method: 'GET',
      headers: { authorization: `Bearer ${gateway.masterKey}` },
    });
    return (JSON.parse(response.text) as { limits: { shared: boolean; degraded?: string } }).limits;
  }

  /** Sends `count` requests one after another; returns their statuses. */
  async function statuses(url: string, key: string, count: number): Promise<number[]> {
    const result: number[] = [];
    for (let index = 0; index < count; index++) result.push((await chat(url, { key })).status);
    return result;
  }

  it('serves on with per-replica limits (local), refuses with fail_closed, and shares counters again after', async () => {
    const [a, b] = [local[0]!, local[1]!];
    const limited = await createKey(a.url, a.masterKey, {
      name: 'redis-cut-limited',
      limits: { ...generousLimits, requests_per_minute: requestsPerMinute },
    });
    const roomy = await createKey(a.url, a.masterKey, { name: 'redis-cut-roomy', limits: generousLimits });
    for (const gateway of [a, b, closed]) {
      await eventually(
        () => readiness(gateway.url),
        (ready) => ready.status === 200 && ready.checks.redis === 'up',
        10_000,
        'Redis to be up',
      );
    }
    // Shared counting: three of the limited key's four requests, one on each gateway.
    for (const gateway of [a, b, closed])
      expect((await chat(gateway.url, { key: limited.secret })).status).toBe(200);

    await proxy.cut();
    for (const gateway of [a, b, closed]) {
      await eventually(
        () => readiness(gateway.url),
        (ready) => ready.checks.redis === 'down',
        10_000,
        'readiness to report Redis down',
      );
    }
    // `local` stays ready and says its limits are per replica now; `fail_closed` is not ready.
    expect((await readiness(a.url)).status).toBe(200);
    expect((await readiness(closed.url)).status).toBe(503);
    expect(await limiterHealth(a)).toMatchObject({
      shared: false,
      degraded: expect.stringMatching(/per replica/),
    });

    // Requests keep succeeding on the `local` replicas...
    const served = [
      ...(await statuses(a.url, roomy.secret, 10)),
      ...(await statuses(b.url, roomy.secret, 10)),
    ];
    expect(served).toEqual(Array.from({ length: 20 }, () => 200));
    // ...and a key's limit still holds within each process: 4 of 6 on each, 8 for the fleet.
    const expectedPerReplica = [200, 200, 200, 200, 429, 429];
    expect(await statuses(a.url, limited.secret, 6)).toEqual(expectedPerReplica);
    expect(await statuses(b.url, limited.secret, 6)).toEqual(expectedPerReplica);
    // fail_closed refuses what it cannot check.
    const refused = await chat(closed.url, { key: roomy.secret });
    expect(refused.status).toBe(503);
    expect(errorOf(refused).code).toBe('service_unavailable');
    expect(refused.headers['retry-after']).toBe('1');

    await proxy.restore();
    for (const gateway of [a, b, closed]) {
      await eventually(
        () => readiness(gateway.url),
        (ready) => ready.status === 200 && ready.checks.redis === 'up',
        10_000,
        'readiness to report Redis up again',
      );
    }
    expect((await chat(closed.url, { key: roomy.secret })).status).toBe(200);
    // Shared counters again: the window still holds the three requests counted in Redis before the
    // cut (what the replicas counted locally is not carried over), so the fleet has one left.
    const after = [
      ...(await statuses(a.url, limited.secret, 2)),
      ...(await statuses(b.url, limited.secret, 2)),
      ...(await statuses(closed.url, limited.secret, 2)),
    ];
    expect(after.filter((status) => status === 200)).toHaveLength(1);
    expect(after.filter((status) => status === 429)).toHaveLength(5);
    // The limiter reports itself shared again once a request has gone through Redis.
    expect(await limiterHealth(a)).toEqual({ shared: true });
  });
});
