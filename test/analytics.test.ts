import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startHttpReceiver, type HttpReceiver } from './support/notification-receivers.js';
import { createKey } from './support/shared-state.js';
import { waitFor } from './support/telemetry.js';

/**
 * Behavioural analytics end to end, through the HTTP API only: synthetic agents with known
 * behaviour make a few hundred decisions (`POST /v1/agent/authorize`) whose reviews a person
 * approves or denies (`POST /v1/queue/{id}/approve|deny`). Reputation follows what reviewers said
 * (an agent merely allowed often stays neutral), a low reputation and a burst of never-seen actions
 * raise alerts that reach a notification channel and feed the risk score, and a policy whose
 * reviewed decisions reviewers overturn is flagged.
 */

const policy = [
  '@id("agents-may-act") permit(principal, action, resource);',
  '@id("wires-need-review") @decision("human_review") permit(principal, action == Action::"wire_money", resource);',
].join('\n');

let gateway: TestGateway;
let hook: HttpReceiver;
const keys: Record<string, string> = {};

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const master = () => gateway.masterKey;

async function authorize(
  actor: string,
  action: string,
  confidence: number,
): Promise<Record<string, unknown>> {
  const answer = await call('POST', '/v1/agent/authorize', master(), {
    tenant_id: 'acme',
    actor,
    action,
    confidence,
    resource: { id: 'r-1' },
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** Asks for an action that goes to review, and has a reviewer approve or deny it. */
async function reviewed(actor: string, action: string, verdict: 'approve' | 'deny'): Promise<void> {
  const answer = await authorize(actor, action, 0.8);
  expect(answer.requires_human_review).toBe(true);
  const resolved = await call(
    'POST',
    `/v1/queue/${String(answer.review_id)}/${verdict}`,
    keys.reviewer ?? '',
    {
      resolved_by: 'ada',
    },
  );
  expect(resolved.status).toBe(200);
}

const reputationOf = async (agent: string) =>
  (await call('GET', `/v1/analytics/reputation/${agent}?tenant_id=acme`, master())).body;
const anomalyOf = async (agent: string) =>
  (await call('GET', `/v1/analytics/anomalies/${agent}?tenant_id=acme`, master())).body;

const everyday = ['read_invoice', 'list_orders', 'search_docs', 'read_customer'];
const neverSeen = ['delete_account', 'export_all_customers', 'grant_admin'];

beforeAll(async () => {
  hook = await startHttpReceiver(() => ({ status: 204 }));
  gateway = await startTestGateway({
    governance: {
      confidence: { allow_unverified: true },
      policy: { cedar: policy },
      analytics: { sync_interval: '300ms', policy: { min_reviews: 5 } },
    },
    notifications: {
      channels: [
        {
          name: 'ops',
          type: 'webhook',
          url: `${hook.url}/hooks/gatehouse`,
          secret: 'analytics-test-secret-0123456789',
          events: ['analytics.alert'],
        },
      ],
    },
  });
  const make = async (name: string, body: Record<string, unknown>) =>
    (keys[name] = (await createKey(gateway.url, gateway.masterKey, { name, ...body })).secret);
  await make('reviewer', { role: 'reviewer' });
  await make('user', {});
  await make('careful-bot', { agent_id: 'careful-bot' });

  // Reviewed agents: every review approved, 8 of 12, none.
  for (let index = 0; index < 12; index += 1) {
    await reviewed('careful-bot', 'update_ticket', 'approve');
    await reviewed('mixed-bot', 'update_ticket', index % 3 === 0 ? 'deny' : 'approve');
    await reviewed('reckless-bot', 'update_ticket', 'deny');
  }
  // Wires always go to review, and reviewers turn most of them down: the review permit is too wide.
  for (let index = 0; index < 8; index += 1)
    await reviewed('pay-bot', 'wire_money', index < 6 ? 'deny' : 'approve');
  // Allowed often, never reviewed.
  for (let index = 0; index < 60; index += 1) {
    const answer = await authorize('busy-bot', 'read_invoice', 0.95);
    expect(answer.decision).toBe('allow');
  }
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await hook?.close();
});

describe('reputation', () => {
  it('orders agents by what reviewers said: approved > mostly approved > merely allowed (neutral) > denied', async () => {
    const scores = await waitFor(async () => {
      const list = await call('GET', '/v1/analytics/reputation?tenant_id=acme&sort=top', master());
      const agents = list.body.agents as { agent_id: string; reputation_score: number; status: string }[];
      const byAgent = new Map(agents.map((agent) => [agent.agent_id, agent]));
      return byAgent.size >= 5 ? byAgent : undefined;
    }, 'five agents with figures');
    const score = (agent: string) => scores.get(agent)?.reputation_score ?? Number.NaN;
    expect([...scores.keys()].slice(0, 2)).toEqual(['careful-bot', 'mixed-bot']);
    expect(score('careful-bot')).toBeGreaterThan(score('mixed-bot'));
    expect(score('mixed-bot')).toBeGreaterThan(score('busy-bot'));
    expect(score('busy-bot')).toBe(0.5);
    expect(scores.get('busy-bot')?.status).toBe('neutral');
    expect(score('reckless-bot')).toBeLessThan(score('busy-bot'));
    expect(score('careful-bot')).toBeCloseTo(13 / 14, 3);
    expect(score('reckless-bot')).toBeCloseTo(1 / 14, 3);
    const careful = await reputationOf('careful-bot');
    expect(careful).toMatchObject({
      reviewed_decisions: 12,
      approved: 12,
      denied: 0,
      accuracy_rate: 1,
      low: false,
    });
  });

  it('below the low threshold lowers the reliability risk uses, and raises one alert that reaches the channel', async () => {
    const answer = await authorize('reckless-bot', 'update_ticket', 0.95);
    expect(answer.risk_reliability).toBeCloseTo(1 / 14, 3);
    const careful = await authorize('careful-bot', 'update_ticket', 0.95);
    expect(careful.risk_reliability).toBe(1);
    const alerts = await waitFor(async () => {
      const listed = await call('GET', '/v1/analytics/alerts?tenant_id=acme&kind=reputation_low', master());
      const found = listed.body.alerts as { agent_id: string }[];
      return found.length > 0 ? found : undefined;
    }, 'a reputation alert');
    expect(alerts.map((alert) => alert.agent_id)).toEqual(['reckless-bot']);
    const delivered = await waitFor(
      () => hook.requests.find((request) => request.body.includes('"reputation_low"')),
      'the reputation alert at the webhook',
    );
    const payload = JSON.parse(delivered.body) as { type: string; data: Record<string, unknown> };
    expect(payload.type).toBe('analytics.alert');
    expect(payload.data).toMatchObject({
      agent: 'reckless-bot',
      alert: 'reputation_low',
      threshold: 0.5,
      tenant_id: 'acme',
    });
  });
});

describe('policy effectiveness', () => {
  it('flags the review permit whose reviewed decisions reviewers overturned, not the one they mostly upheld', async () => {
    const policies = await waitFor(async () => {
      const listed = await call('GET', '/v1/analytics/policies', master());
      const found = listed.body.policies as { policy_id: string; effectiveness: number | null }[];
      return found.length === 2 && found.every((entry) => entry.effectiveness !== null) ? found : undefined;
    }, 'both policies with an effectiveness');
    expect(policies).toEqual([
      expect.objectContaining({
        policy_id: 'agents-may-act',
        reviewed_decisions: 36,
        upheld: 20,
        flagged_for_review: false,
      }),
      expect.objectContaining({
        policy_id: 'wires-need-review',
        reviewed_decisions: 8,
        upheld: 2,
        flagged_for_review: true,
      }),
    ]);
    expect(policies[1]?.effectiveness).toBeCloseTo(0.25, 2);
    const alerts = await waitFor(async () => {
      const found = (await call('GET', '/v1/analytics/alerts?kind=policy_ineffective', master())).body
        .alerts as Record<string, unknown>[];
      return found.length > 0 ? found : undefined;
    }, 'a policy alert');
    expect(alerts[0]).toMatchObject({ policy_id: 'wires-need-review', status: 'active', threshold: 0.5 });
  });
});

describe('anomaly', () => {
  it('scores an agent that behaves near 0, then its burst into actions it never took above the threshold', async () => {
    for (let index = 0; index < 100; index += 1)
      await authorize('bursty-bot', everyday[index % everyday.length] ?? 'read_invoice', 0.95);
    const baseline = await waitFor(async () => {
      const body = (await call('GET', '/v1/analytics/baseline/bursty-bot?tenant_id=acme', master())).body;
      return body.baseline === null ? undefined : body;
    }, 'a baseline of 100 decisions');
    expect(baseline).toMatchObject({ enabled: true, health: { status: 'established', sample_size: 100 } });
    expect((baseline.baseline as { sample_size: number }).sample_size).toBe(100);

    for (let index = 0; index < 30; index += 1)
      await authorize('bursty-bot', everyday[index % everyday.length] ?? 'read_invoice', 0.95);
    const calm = await waitFor(async () => {
      const body = await anomalyOf('bursty-bot');
      return body.status === 'scored' && body.window_decisions === 30 ? body : undefined;
    }, 'the window of 30 ordinary decisions scored');
    expect(calm.features).toMatchObject({ action_mix: 0, deny_rate: 0, confidence: 0 });
    expect(calm.anomalous).toBe(false);

    for (let index = 0; index < 110; index += 1)
      await authorize('bursty-bot', neverSeen[index % neverSeen.length] ?? 'grant_admin', 0.95);
    const burst = await waitFor(async () => {
      const body = await anomalyOf('bursty-bot');
      return body.anomalous === true ? body : undefined;
    }, 'the burst to be anomalous');
    expect(burst).toMatchObject({ leading_feature: 'action_mix', window_decisions: 100, threshold: 0.7 });
    expect(burst.anomaly_score).toBe(1);
    expect(burst.risk_anomaly_factor).toBe(1.5);

    // The factor feeds the next decision's risk.
    const next = await authorize('bursty-bot', 'delete_account', 0.95);
    expect(next.risk_anomaly_factor).toBe(1.5);
    const alert = await waitFor(async () => {
      const body = await anomalyOf('bursty-bot');
      const anomalies = body.anomalies as Record<string, unknown>[];
      return anomalies.length > 0 ? anomalies[0] : undefined;
    }, 'the anomaly alert');
    expect(alert).toMatchObject({ kind: 'anomaly_high', agent_id: 'bursty-bot', status: 'active' });
    await waitFor(
      () => hook.requests.find((request) => request.body.includes('"anomaly_high"')),
      'the anomaly alert at the webhook',
    );
    // Other agents behaved as they always did.
    expect((await anomalyOf('busy-bot')).anomalous).toBe(false);
  }, 60_000);
});

describe('alerts', () => {
  it('are acknowledged and resolved once each, by operators only', async () => {
    const listed = await call('GET', '/v1/analytics/alerts?status=all', master());
    const target = (listed.body.alerts as { id: string; kind: string }[]).find(
      (alert) => alert.kind === 'reputation_low',
    );
    expect(target).toBeDefined();
    const id = target?.id ?? '';
    const agentKey = keys['careful-bot'] ?? '';
    expect((await call('POST', `/v1/analytics/alerts/${id}/acknowledge`, agentKey, {})).status).toBe(403);
    expect((await call('POST', `/v1/analytics/alerts/${id}/acknowledge`, keys.user ?? '', {})).status).toBe(
      403,
    );
    const acknowledged = await call('POST', `/v1/analytics/alerts/${id}/acknowledge`, keys.reviewer ?? '', {
      acknowledged_by: 'ada',
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({
      alert_id: id,
      status: 'acknowledged',
      alert: { acknowledged_by: 'ada' },
    });
    expect((await call('POST', `/v1/analytics/alerts/${id}/acknowledge`, master(), {})).status).toBe(409);
    const resolved = await call('POST', `/v1/analytics/alerts/${id}/resolve`, master(), {
      note: 'retrained',
    });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      alert: { resolved_by: 'master', resolution_note: 'retrained' },
    });
    const again = await call('POST', `/v1/analytics/alerts/${id}/resolve`, master(), {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ alert: { status: 'resolved' } });
    expect((await call('POST', '/v1/analytics/alerts/alert_nope/resolve', master(), {})).status).toBe(404);
    const open = (await call('GET', '/v1/analytics/alerts', master())).body.alerts as { id: string }[];
    expect(open.map((alert) => alert.id)).not.toContain(id);
  });
});

describe('who may read', () => {
  it('lets a key bound to an agent read its own figures only, and refuses keys without a role', async () => {
    const agentKey = keys['careful-bot'] ?? '';
    expect((await call('GET', '/v1/analytics/reputation/careful-bot?tenant_id=acme', agentKey)).status).toBe(
      200,
    );
    expect((await call('GET', '/v1/analytics/reputation/reckless-bot?tenant_id=acme', agentKey)).status).toBe(
      403,
    );
    expect((await call('GET', '/v1/analytics/anomalies/bursty-bot?tenant_id=acme', agentKey)).status).toBe(
      403,
    );
    const own = (await call('GET', '/v1/analytics/reputation?tenant_id=acme', agentKey)).body.agents as {
      agent_id: string;
    }[];
    expect(own.map((agent) => agent.agent_id)).toEqual(['careful-bot']);
    expect((await call('GET', '/v1/analytics/alerts?agent_id=reckless-bot', agentKey)).status).toBe(403);
    expect((await call('GET', '/v1/analytics/policies', agentKey)).status).toBe(403);
    expect(
      (await call('POST', '/v1/analytics/baseline/careful-bot/refresh?tenant_id=acme', agentKey)).status,
    ).toBe(403);
    expect((await call('GET', '/v1/analytics/reputation', keys.user ?? '')).status).toBe(403);
    expect((await call('GET', '/v1/analytics/reputation', 'not-a-key')).status).toBe(401);
  });

  it('answers bad queries with a 400 naming the parameter', async () => {
    for (const path of [
      '/v1/analytics/reputation?sort=best',
      '/v1/analytics/reputation?limit=0',
      '/v1/analytics/reputation?threshold=2',
      '/v1/analytics/alerts?status=open-ish',
      '/v1/analytics/alerts?since=yesterday',
      '/v1/analytics/reputation/careful-bot?color=blue',
    ]) {
      const answer = await call('GET', path, master());
      expect(answer.status, path).toBe(400);
      expect((answer.body.error as { code: string }).code, path).toBe('invalid_request');
    }
    const badBody = await call('POST', '/v1/analytics/alerts/alert_x/resolve', master(), { resolved_by: 7 });
    expect(badBody.status).toBe(400);
    // A name past the router's limit is refused before the route runs.
    expect((await call('GET', `/v1/analytics/reputation/${'x'.repeat(300)}`, master())).status).toBe(414);
  });

  it('shows an agent it knows nothing of as neutral', async () => {
    expect(await reputationOf('newcomer')).toMatchObject({
      reputation_score: 0.5,
      status: 'neutral',
      reviewed_decisions: 0,
    });
    expect(
      (await call('POST', '/v1/analytics/baseline/newcomer/refresh?tenant_id=acme', master())).status,
    ).toBe(404);
  });
});
