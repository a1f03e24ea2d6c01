import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../../stores/sql/index.js';
import type { DecisionKind } from '../contract.js';
import type { DecisionEvent } from '../events.js';
import type { ReviewItem } from '../review/index.js';
import { createAnalytics, type Analytics } from './analytics.js';
import { analyticsSettingsFrom, defaultAnalyticsSection } from './analytics-settings.js';
import type { AlertRecord } from './alerts.js';

/**
 * The analytics engine on a real (embedded) database with a clock the test moves: baselines made
 * once enough decisions are known and kept while the agent is anomalous, alerts raised once per
 * stretch, reviewer outcomes counted at once and then from the database, and the bound on agents.
 */

const start = Date.UTC(2026, 0, 5, 10);
const minute = 60_000;

let directory: string;
let stores: SqlStores;
let clock: number;
let notified: AlertRecord[];
let analytics: Analytics;
let ids: number;

function create(overrides: { maxAgents?: number } = {}): Analytics {
  return createAnalytics({
    settings: analyticsSettingsFrom({
      ...defaultAnalyticsSection,
      max_agents: overrides.maxAgents ?? 100,
      reputation: { ...defaultAnalyticsSection.reputation, min_decisions: 3 },
      anomaly: {
        ...defaultAnalyticsSection.anomaly,
        baseline_sample_size: 20,
        window_size: 20,
        baseline_refresh_interval: 60 * minute,
      },
    }),
    store: stores.analytics,
    alerts: stores.alerts,
    auditWriter: undefined,
    notify: (alert) => notified.push(alert),
    now: () => clock,
    newId: () => `alert_${(ids += 1)}`,
    onError: (error) => {
      throw error;
    },
  });
}

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'gatehouse-analytics-'));
  stores = await createSqlStores({ dataDir: directory });
  clock = start;
  notified = [];
  ids = 0;
  analytics = create();
});

afterEach(async () => {
  await analytics.close();
  await stores.close();
  rmSync(directory, { recursive: true, force: true });
});

function decide(actor: string, action: string, decision: DecisionKind = 'allow', target = analytics): void {
  clock += minute;
  const event: DecisionEvent = {
    subject: 'agent',
    tenantId: 'acme',
    traceId: `trace-${clock}`,
    timestamp: new Date(clock).toISOString(),
    actor,
    action,
    resource: {},
    confidenceScore: 0.95,
    decision,
    reason: '',
    downgradedScope: undefined,
    latencyMs: 0.1,
    inputHash: '',
    outputHash: '',
    policyDigest: '',
    policyVersion: 1,
    shadowMode: false,
    reasonClass: 'policy',
    riskScore: 0.05,
    actingFor: undefined,
  };
  target.decided(event);
}

const ordinary = (actor: string, count: number) => {
  for (let index = 0; index < count; index += 1)
    decide(actor, index % 2 === 0 ? 'read_invoice' : 'list_orders');
};
const burst = (actor: string, count: number) => {
  for (let index = 0; index < count; index += 1) decide(actor, `delete_${index % 3}`);
};

describe('baselines and anomaly', () => {
  it('makes a baseline once the agent has made BASELINE_SAMPLE_SIZE decisions, and scores the ones after it', async () => {
    ordinary('bot', 19);
    await analytics.runPass();
    expect(analytics.agent('acme', 'bot')?.baseline).toBeUndefined();
    ordinary('bot', 1);
    await analytics.runPass();
    const made = analytics.agent('acme', 'bot')?.baseline;
    expect(made).toMatchObject({ computedAt: clock, summary: { decisions: 20 } });
    expect(analytics.signals.anomalyFactor('acme', 'bot')).toBe(1);
    burst('bot', 20);
    await analytics.runPass();
    expect(analytics.agent('acme', 'bot')?.anomaly).toMatchObject({
      status: 'scored',
      score: 1,
      leading: 'action_mix',
    });
    expect(analytics.signals.anomalyFactor('acme', 'bot')).toBe(1.5);
  });

  it('does not remake a due baseline while the agent is anomalous, and does once it is calm again', async () => {
    ordinary('bot', 20);
    await analytics.runPass();
    const first = analytics.agent('acme', 'bot')?.baseline?.computedAt;
    burst('bot', 20);
    clock += 2 * 60 * minute;
    await analytics.runPass();
    expect(analytics.agent('acme', 'bot')?.baseline?.computedAt).toBe(first);
    ordinary('bot', 20);
    await analytics.runPass();
    const remade = analytics.agent('acme', 'bot')?.baseline;
    expect(remade?.computedAt).toBe(clock);
    // Made from the latest decisions: the burst is out of it.
    expect(Object.keys(remade?.summary.actions ?? {}).sort()).toEqual(['list_orders', 'read_invoice']);
    // Another replica, once the agent acts there, scores against the stored one.
    const other = create();
    await other.start();
    decide('bot', 'read_invoice', 'allow', other);
    await other.runPass();
    expect(other.agent('acme', 'bot')?.baseline?.computedAt).toBe(remade?.computedAt);
    await other.close();
  });
});

describe('alerts', () => {
  it('raises one per stretch: not again while it lasts or while unresolved, again after it cleared and was resolved', async () => {
    ordinary('bot', 20);
    await analytics.runPass();
    burst('bot', 20);
    await analytics.runPass();
    await analytics.runPass();
    expect(notified.map((alert) => alert.kind)).toEqual(['anomaly_high']);
    ordinary('bot', 20);
    await analytics.runPass();
    burst('bot', 20);
    await analytics.runPass();
    // Cleared and back, but the first alert is still unresolved: nothing new.
    expect(notified).toHaveLength(1);
    await stores.alerts.resolve(notified[0]?.id ?? '', 'ada', undefined, clock);
    ordinary('bot', 20);
    await analytics.runPass();
    burst('bot', 20);
    await analytics.runPass();
    expect(notified.map((alert) => alert.id)).toEqual(['alert_1', 'alert_3']);
  });
});

function resolvedReview(index: number, status: 'approved' | 'denied', resolvedAt: number): ReviewItem {
  return {
    id: `rev_${index}`,
    tenantId: 'acme',
    actor: 'reviewed-bot',
    action: 'update_ticket',
    resource: {},
    confidenceScore: 0.8,
    reason: 'review',
    actingFor: undefined,
    traceId: `trace-review-${index}`,
    riskScore: 0.1,
    policyDigest: '',
    inputHash: '',
    argsHash: undefined,
    policyIds: ['agents-may-act'],
    enqueuedAt: resolvedAt - 1_000,
    expiresAt: resolvedAt + 86_400_000,
    status,
    resolvedAt,
    resolvedBy: 'ada',
    resolutionNote: undefined,
    resolverKeyId: 'key_1',
  };
}

describe('reputation', () => {
  it('counts outcomes resolved here at once, ignores expiries, and then takes the database’s count without counting twice', async () => {
    for (let index = 0; index < 3; index += 1) {
      const review = resolvedReview(index, 'denied', clock);
      await stores.reviews.insert(review);
      analytics.reviewResolved(review);
    }
    analytics.reviewResolved({
      ...resolvedReview(9, 'denied', clock),
      resolvedBy: 'expired',
      resolverKeyId: undefined,
    });
    expect(analytics.agent('acme', 'reviewed-bot')?.reputation).toMatchObject({
      reviewed: 3,
      status: 'scored',
      low: true,
    });
    expect(analytics.signals.reliability('acme', 'reviewed-bot')).toBeCloseTo(1 / 5);
    await analytics.runPass();
    expect(analytics.agent('acme', 'reviewed-bot')?.reputation.reviewed).toBe(3);
    clock += minute;
    await analytics.runPass();
    expect(analytics.agent('acme', 'reviewed-bot')?.reputation.reviewed).toBe(3);
    expect(notified.map((alert) => [alert.kind, alert.subject])).toEqual([
      ['reputation_low', { type: 'agent', tenantId: 'acme', agent: 'reviewed-bot' }],
    ]);
    // A policy's effectiveness counts only from its minimum number of reviews (10 by default).
    expect(analytics.policies.get('agents-may-act')?.effectiveness).toMatchObject({
      effectiveness: undefined,
      reviewed: 3,
    });
  });

  it('reads outcomes another replica resolved from the database', async () => {
    for (let index = 0; index < 4; index += 1)
      await stores.reviews.insert(resolvedReview(index, 'approved', clock));
    clock += minute;
    await analytics.runPass();
    expect(analytics.agent('acme', 'reviewed-bot')?.reputation).toMatchObject({
      reviewed: 4,
      approved: 4,
      low: false,
    });
    expect(analytics.signals.reliability('acme', 'reviewed-bot')).toBe(1);
  });
});

describe('bounds', () => {
  it('keeps at most max_agents, forgetting the least recently active; an agent forgotten is neutral', async () => {
    await analytics.close();
    analytics = create({ maxAgents: 10 });
    for (let agent = 0; agent < 12; agent += 1) decide(`agent-${agent}`, 'read_invoice', 'deny');
    const known = analytics.agents().map((figures) => figures.actor);
    expect(known.length).toBeLessThanOrEqual(10);
    expect(known).not.toContain('agent-0');
    expect(known).toContain('agent-11');
    expect(analytics.signals.reliability('acme', 'agent-0')).toBe(1);
    expect(analytics.signals.anomalyFactor('acme', 'agent-0')).toBe(1);
  });
});
