import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatProblems, loadConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway/index.js';
import { createLogger } from '../src/telemetry/index.js';
import { waitFor } from './support/telemetry.js';

/**
 * Lelu documents REPUTATION_LOW_THRESHOLD, REPUTATION_MIN_DECISIONS, ANOMALY_DETECTION_ENABLED,
 * ANOMALY_SEVERITY_THRESHOLD, ANOMALY_WINDOW_SIZE, BASELINE_SAMPLE_SIZE, BASELINE_REFRESH_INTERVAL
 * and POLICY_OPTIMIZATION_THRESHOLD and reads none of them. Here each, set in the environment the
 * configuration loader reads, changes what the gateway does: every assertion below would fail
 * with the default value.
 */

const masterKey = 'gh-test-master-key-0123456789abcdef';
const policy = '@id("agents-may-act") permit(principal, action, resource);';

interface Started {
  readonly url: string;
  readonly gateway: Gateway;
}

async function startWithEnvironment(env: Record<string, string>): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-analytics-env-'));
  const file = stringify({
    server: { port: 0, metrics_port: 0 },
    log: { level: 'warn' },
    governance: {
      confidence: { allow_unverified: true },
      policy: { cedar: policy },
      analytics: { sync_interval: '200ms', policy: { min_reviews: 3 } },
    },
  });
  const loaded = loadConfig({
    flags: {},
    env: { GATEHOUSE_DATA_DIR: dataDir, ...env },
    cwd: dataDir,
    readFile: () => file,
  });
  if (!loaded.ok) throw new Error(formatProblems(loaded.errors));
  const logger = createLogger({ level: 'warn', format: 'json' }, { write: () => undefined });
  const gateway = await createGateway({ config: loaded.config, masterKey, logger });
  const { url } = await gateway.listen();
  return { url, gateway };
}

async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${masterKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

const authorize = (url: string, actor: string, action: string, confidence: number) =>
  call(url, 'POST', '/v1/agent/authorize', { tenant_id: 'acme', actor, action, confidence });

async function reviewed(url: string, actor: string, verdict: 'approve' | 'deny'): Promise<void> {
  const answer = await authorize(url, actor, 'update_ticket', 0.8);
  expect(answer.requires_human_review).toBe(true);
  await call(url, 'POST', `/v1/queue/${String(answer.review_id)}/${verdict}`, {});
}

const everyday = ['read_invoice', 'list_orders', 'search_docs'];

describe('the analytics variables of the environment', () => {
  let tuned: Started;
  let sensitive: Started;
  let off: Started;

  beforeAll(async () => {
    tuned = await startWithEnvironment({
      REPUTATION_MIN_DECISIONS: '3',
      REPUTATION_LOW_THRESHOLD: '0.8',
      ANOMALY_WINDOW_SIZE: '20',
      BASELINE_SAMPLE_SIZE: '30',
      BASELINE_REFRESH_INTERVAL: '2s',
      POLICY_OPTIMIZATION_THRESHOLD: '0.9',
    });
    // Apart, so that its low threshold does not hold back the other gateway's baseline refreshes
    // (an agent is not refreshed while anomalous).
    sensitive = await startWithEnvironment({
      ANOMALY_SEVERITY_THRESHOLD: '0.25',
      ANOMALY_WINDOW_SIZE: '20',
      BASELINE_SAMPLE_SIZE: '30',
    });
    off = await startWithEnvironment({ ANOMALY_DETECTION_ENABLED: 'false', BASELINE_SAMPLE_SIZE: '30' });
  }, 60_000);

  afterAll(async () => {
    await tuned?.gateway.close();
    await sensitive?.gateway.close();
    await off?.gateway.close();
  });

  const reputation = (agent: string) =>
    call(tuned.url, 'GET', `/v1/analytics/reputation/${agent}?tenant_id=acme`);
  const anomaly = (url: string, agent: string) =>
    call(url, 'GET', `/v1/analytics/anomalies/${agent}?tenant_id=acme`);
  const baseline = (url: string, agent: string) =>
    call(url, 'GET', `/v1/analytics/baseline/${agent}?tenant_id=acme`);

  it('REPUTATION_MIN_DECISIONS=3: three approvals are enough to score (10 by default)', async () => {
    for (let index = 0; index < 3; index += 1) await reviewed(tuned.url, 'three-bot', 'approve');
    expect(await reputation('three-bot')).toMatchObject({
      status: 'scored',
      reputation_score: 0.8,
      min_decisions: 3,
    });
  });

  it('REPUTATION_LOW_THRESHOLD=0.8: a reputation of 0.67 is low, lowers reliability and raises an alert (0.5 by default)', async () => {
    for (const verdict of ['approve', 'approve', 'approve', 'deny'] as const)
      await reviewed(tuned.url, 'fair-bot', verdict);
    const figures = await reputation('fair-bot');
    expect(figures).toMatchObject({ status: 'scored', low: true, low_threshold: 0.8 });
    expect(figures.reputation_score).toBeCloseTo(4 / 6, 3);
    expect((await authorize(tuned.url, 'fair-bot', 'read_invoice', 0.95)).risk_reliability).toBeCloseTo(
      4 / 6,
      3,
    );
    await waitFor(async () => {
      const alerts = (await call(tuned.url, 'GET', '/v1/analytics/alerts?agent_id=fair-bot'))
        .alerts as unknown[];
      return alerts.length === 1 ? alerts : undefined;
    }, 'the reputation alert');
  });

  it('POLICY_OPTIMIZATION_THRESHOLD=0.9: a policy upheld 6 times in 7 is flagged (0.5 by default)', async () => {
    const policies = await waitFor(async () => {
      const listed = (await call(tuned.url, 'GET', '/v1/analytics/policies')).policies as Record<
        string,
        unknown
      >[];
      return listed[0]?.reviewed_decisions === 7 ? listed : undefined;
    }, 'seven reviewed decisions under the policy');
    expect(policies[0]).toMatchObject({ policy_id: 'agents-may-act', upheld: 6, flagged_for_review: true });
    expect(policies[0]?.effectiveness).toBeCloseTo(6 / 7, 3);
  });

  it('BASELINE_SAMPLE_SIZE=30 and ANOMALY_WINDOW_SIZE=20: a baseline after 30 decisions, 20 of the latest scored', async () => {
    for (let index = 0; index < 30; index += 1)
      await authorize(tuned.url, 'steady-bot', everyday[index % 3] ?? 'read_invoice', 0.95);
    const made = await waitFor(async () => {
      const body = await baseline(tuned.url, 'steady-bot');
      return body.baseline === null ? undefined : body;
    }, 'a baseline of 30 decisions');
    expect(made.baseline).toMatchObject({ sample_size: 30 });
    for (let index = 0; index < 25; index += 1)
      await authorize(tuned.url, 'steady-bot', everyday[index % 3] ?? 'read_invoice', 0.95);
    const scored = await waitFor(async () => {
      const body = await anomaly(tuned.url, 'steady-bot');
      return body.status === 'scored' && body.window_decisions === 20 ? body : undefined;
    }, 'a window of 20 decisions');
    expect(scored).toMatchObject({ window_size: 20, anomalous: false });
  });

  it('BASELINE_REFRESH_INTERVAL=2s: the baseline is made again once it is 2 s old (24 h by default)', async () => {
    const first = ((await baseline(tuned.url, 'steady-bot')).baseline as { computed_at: string }).computed_at;
    const remade = await waitFor(
      async () => {
        const body = (await baseline(tuned.url, 'steady-bot')).baseline as {
          computed_at: string;
          last_decision_at: string;
        };
        return body.computed_at !== first ? body : undefined;
      },
      'the baseline to be made again',
      10_000,
    );
    expect(Date.parse(remade.computed_at) - Date.parse(first)).toBeGreaterThanOrEqual(2_000);
  });

  it('ANOMALY_SEVERITY_THRESHOLD=0.25: eight new actions in a window of 20 are an anomaly (0.7 by default)', async () => {
    for (let index = 0; index < 30; index += 1)
      await authorize(sensitive.url, 'mild-bot', everyday[index % 3] ?? 'read_invoice', 0.95);
    await waitFor(
      async () => ((await baseline(sensitive.url, 'mild-bot')).baseline === null ? undefined : true),
      'a baseline',
    );
    for (let index = 0; index < 20; index += 1)
      await authorize(
        sensitive.url,
        'mild-bot',
        index % 5 < 2 ? `export_table_${index}` : (everyday[index % 3] ?? 'read_invoice'),
        0.95,
      );
    const body = await waitFor(async () => {
      const figures = await anomaly(sensitive.url, 'mild-bot');
      return figures.window_decisions === 20 ? figures : undefined;
    }, 'the window scored');
    // The new actions alone score between the two thresholds (the request rate, which depends on
    // the machine's pace, may add to the score but never takes from it).
    const { action_mix: actionMix } = body.features as { action_mix: number };
    expect(actionMix).toBeGreaterThanOrEqual(0.25);
    expect(actionMix).toBeLessThan(0.7);
    expect(body).toMatchObject({ anomalous: true, threshold: 0.25 });
    await waitFor(async () => {
      const alerts = (
        await call(sensitive.url, 'GET', '/v1/analytics/alerts?agent_id=mild-bot&kind=anomaly_high')
      ).alerts as unknown[];
      return alerts.length === 1 ? alerts : undefined;
    }, 'the anomaly alert');
  });

  it('ANOMALY_DETECTION_ENABLED=false: no baseline, no score, an anomaly factor of 1 through a burst (on by default)', async () => {
    for (let index = 0; index < 30; index += 1)
      await authorize(off.url, 'bursty-bot', everyday[index % 3] ?? 'read_invoice', 0.95);
    let last: Record<string, unknown> = {};
    for (let index = 0; index < 40; index += 1)
      last = await authorize(off.url, 'bursty-bot', `delete_${index % 4}`, 0.95);
    expect(last.risk_anomaly_factor).toBe(1);
    expect(await anomaly(off.url, 'bursty-bot')).toMatchObject({
      enabled: false,
      status: 'disabled',
      anomaly_score: 0,
    });
    expect(await baseline(off.url, 'bursty-bot')).toMatchObject({ enabled: false, baseline: null });
    const refused = await call(off.url, 'POST', '/v1/analytics/baseline/bursty-bot/refresh?tenant_id=acme');
    expect((refused.error as { code: string }).code).toBe('conflict');
  });
});
