import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { summarise, type NewAlert, type StoredBaseline } from '../../governance/analytics/index.js';
import { entry } from '../../governance/audit/test-entries.js';
import { expiryResolution, type ReviewItem } from '../../governance/review/index.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

/**
 * What analytics reads and writes, on SQLite and Postgres: agent decisions from the audit log in
 * chain order (people's checks and other events skipped), reviewer outcomes per bucket (expiries
 * left out), baselines replaced only when still the one read, and alerts raised once per subject
 * and kind while unresolved, acknowledged and resolved once.
 */

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

const minute = 60_000;

function review(index: number, overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id: `rev_${index}`,
    tenantId: 'acme',
    actor: 'pay-bot',
    action: 'wire_money',
    resource: {},
    confidenceScore: 0.8,
    reason: 'review',
    actingFor: undefined,
    traceId: `trace-review-${index}`,
    riskScore: 0.1,
    policyDigest: 'a'.repeat(64),
    inputHash: 'b'.repeat(64),
    argsHash: undefined,
    policyIds: ['agents-may-act'],
    enqueuedAt: 0,
    expiresAt: 100 * minute,
    status: 'pending',
    resolvedAt: undefined,
    resolvedBy: undefined,
    resolutionNote: undefined,
    resolverKeyId: undefined,
    ...overrides,
  };
}

function baseline(computedAt: number, actions: string[] = ['read']): StoredBaseline {
  return {
    tenantId: 'acme',
    actor: 'pay-bot',
    computedAt,
    summary: summarise(
      actions.map((action, index) => ({ time: index, action, decision: 'allow', confidence: 0.9 })),
    ),
  };
}

function alert(id: string, overrides: Partial<NewAlert> = {}): NewAlert {
  return {
    id,
    kind: 'anomaly_high',
    subject: { type: 'agent', tenantId: 'acme', agent: 'pay-bot' },
    value: 0.93,
    threshold: 0.7,
    title: 'Agent pay-bot: anomaly 0.93',
    details: { leading_feature: 'action_mix' },
    raisedAt: 1_000,
    ...overrides,
  };
}

describe.each(databases.map((database) => [database.dialect, database] as const))(
  'analytics stores on %s',
  (_dialect, database) => {
    let stores: SqlStores;

    beforeEach(async () => {
      stores = await createSqlStores(await database.isolated());
    });
    afterEach(async () => {
      await stores.close();
    });

    it('reads agent decisions from the audit log in chain order, skipping people and other events', async () => {
      await stores.audit.append([
        entry(1),
        entry(2, { details: { subject: 'user' }, actor: 'ada' }),
        entry(3, { type: 'review.created', decision: 'pending' }),
        entry(4, { actor: 'pay-bot', decision: 'deny', confidenceScore: null }),
        entry(5, { tenantId: 'globex' }),
      ]);
      const first = await stores.analytics.decisionsAfter(0, 2);
      expect(first.decisions.map((decision) => decision.traceId)).toEqual(['trace-1']);
      expect(first.more).toBe(true);
      const rest = await stores.analytics.decisionsAfter(first.lastSeq, 10);
      expect(
        rest.decisions.map((decision) => [decision.tenantId, decision.actor, decision.decision]),
      ).toEqual([
        ['acme', 'pay-bot', 'deny'],
        ['globex', 'invoice-bot', 'allow'],
      ]);
      expect(rest.decisions[0]).toMatchObject({
        action: 'approve_refund',
        confidence: undefined,
        time: Date.UTC(2026, 0, 1) + 4,
      });
      expect(rest.more).toBe(false);
      expect(rest.lastSeq).toBe(5);
      expect((await stores.analytics.decisionsAfter(rest.lastSeq, 10)).decisions).toEqual([]);
      const latest = await stores.analytics.latestDecisions(2);
      expect(latest.decisions.map((decision) => decision.traceId)).toEqual(['trace-4', 'trace-5']);
      expect(latest.lastSeq).toBe(5);
    });

    it('counts reviewer outcomes per agent and bucket, leaving expiries and pending reviews out', async () => {
      const resolved = (
        index: number,
        status: 'approved' | 'denied',
        at: number,
        extra: Partial<ReviewItem> = {},
      ) => review(index, { status, resolvedAt: at, resolvedBy: 'ada', resolverKeyId: 'key_1', ...extra });
      for (const item of [
        resolved(1, 'approved', 10 * minute),
        resolved(2, 'approved', 10 * minute + 5),
        resolved(3, 'denied', 12 * minute),
        resolved(4, 'approved', 11 * minute, { actor: 'other-bot', policyIds: ['a', 'b'] }),
        review(5, { ...expiryResolution({ expiresAt: 13 * minute }) }),
        review(6),
        resolved(7, 'denied', 1 * minute),
        // A person may name themselves "expired": only the TTL's own resolution is left out.
        resolved(8, 'denied', 12 * minute, { resolvedBy: 'expired' }),
      ])
        await stores.reviews.insert(item);
      const rows = await stores.analytics.agentOutcomes(5 * minute, 12 * minute + 1, 10 * minute);
      const sorted = [...rows].sort((first, second) =>
        `${first.actor}${first.outcome}`.localeCompare(`${second.actor}${second.outcome}`),
      );
      expect(sorted).toEqual([
        { tenantId: 'acme', actor: 'other-bot', outcome: 'approved', at: 15 * minute, count: 1 },
        { tenantId: 'acme', actor: 'pay-bot', outcome: 'approved', at: 15 * minute, count: 2 },
        { tenantId: 'acme', actor: 'pay-bot', outcome: 'denied', at: 15 * minute, count: 2 },
      ]);
      const policies = await stores.analytics.policyOutcomes(5 * minute, 12 * minute + 1, 10 * minute);
      expect(
        [...policies].sort((first, second) => first.policyIds.join().localeCompare(second.policyIds.join())),
      ).toEqual([
        { policyIds: ['a', 'b'], outcome: 'approved', at: 15 * minute, count: 1 },
        { policyIds: ['agents-may-act'], outcome: 'approved', at: 15 * minute, count: 2 },
        { policyIds: ['agents-may-act'], outcome: 'denied', at: 15 * minute, count: 2 },
      ]);
    });

    it('stores a first baseline once, and replaces it only from the one it replaces', async () => {
      const first = await stores.analytics.saveBaseline(baseline(1_000), undefined);
      expect(first.computedAt).toBe(1_000);
      // A second replica making a first baseline at the same time gets the one stored.
      expect((await stores.analytics.saveBaseline(baseline(1_001), undefined)).computedAt).toBe(1_000);
      const refreshed = await stores.analytics.saveBaseline(baseline(2_000, ['write']), 1_000);
      expect(refreshed.summary.actions).toEqual({ write: 1 });
      // A refresh that read the old baseline loses to the one stored meanwhile.
      expect((await stores.analytics.saveBaseline(baseline(2_001), 1_000)).computedAt).toBe(2_000);
      expect((await stores.analytics.saveBaseline(baseline(3_000), 'force')).computedAt).toBe(3_000);
      const found = await stores.analytics.baselines([
        { tenantId: 'acme', actor: 'pay-bot' },
        { tenantId: 'acme', actor: 'nobody' },
      ]);
      expect(found.map((stored) => stored.computedAt)).toEqual([3_000]);
      expect(await stores.analytics.baselinesSince(3_001)).toEqual([]);
      expect((await stores.analytics.baselinesSince(3_000))[0]?.summary).toEqual(baseline(3_000).summary);
    });

    it('raises one unresolved alert per subject and kind, and a new one once it is resolved', async () => {
      const raised = await stores.alerts.raise(alert('alert_1'));
      expect(raised).toMatchObject({ id: 'alert_1', status: 'active', value: 0.93 });
      expect(await stores.alerts.raise(alert('alert_2'))).toBeUndefined();
      // Another kind, another agent, another tenant, a policy: each its own.
      expect(await stores.alerts.raise(alert('alert_3', { kind: 'reputation_low' }))).toBeDefined();
      const other = { type: 'agent', tenantId: 'globex', agent: 'pay-bot' } as const;
      expect(await stores.alerts.raise(alert('alert_4', { subject: other }))).toBeDefined();
      const policy = { type: 'policy', policyId: 'agents-may-act' } as const;
      expect(
        await stores.alerts.raise(alert('alert_5', { kind: 'policy_ineffective', subject: policy })),
      ).toMatchObject({ subject: policy });

      expect((await stores.alerts.acknowledge('alert_1', 'ada', 2_000)).type).toBe('changed');
      // Acknowledged is still unresolved: no second alert.
      expect(await stores.alerts.raise(alert('alert_6'))).toBeUndefined();
      const again = await stores.alerts.acknowledge('alert_1', 'bob', 2_500);
      expect(again).toMatchObject({ type: 'conflict', alert: { acknowledgedBy: 'ada' } });
      expect(await stores.alerts.resolve('alert_1', 'ada', 'baseline refreshed', 3_000)).toMatchObject({
        type: 'changed',
        alert: {
          status: 'resolved',
          resolvedBy: 'ada',
          resolutionNote: 'baseline refreshed',
          resolvedAt: 3_000,
        },
      });
      expect((await stores.alerts.resolve('alert_1', 'ada', undefined, 3_500)).type).toBe('conflict');
      expect((await stores.alerts.acknowledge('nope', 'ada', 1)).type).toBe('not_found');
      expect(await stores.alerts.raise(alert('alert_7', { raisedAt: 4_000 }))).toBeDefined();

      const open = await stores.alerts.list({ statuses: ['active', 'acknowledged'], limit: 10 });
      expect(open.map((record) => record.id)).toEqual(['alert_7', 'alert_5', 'alert_4', 'alert_3']);
      const acme = await stores.alerts.list({
        statuses: ['active', 'acknowledged', 'resolved'],
        tenantId: 'acme',
        agent: 'pay-bot',
        kind: 'anomaly_high',
        limit: 10,
      });
      expect(acme.map((record) => record.id)).toEqual(['alert_7', 'alert_1']);
      expect(
        (await stores.alerts.list({ statuses: ['active'], since: 3_500, limit: 10 })).map((r) => r.id),
      ).toEqual(['alert_7']);
      expect((await stores.alerts.find('alert_5'))?.details).toEqual({ leading_feature: 'action_mix' });
    });

    it('lets two replicas racing to raise the same alert store it once', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, index) => stores.alerts.raise(alert(`alert_race_${index}`))),
      );
      expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
    });
  },
);
