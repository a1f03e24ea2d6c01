import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startHttpReceiver, type HttpReceiver } from './support/notification-receivers.js';
import { isolatedState, type IsolatedState } from './support/shared-state.js';
import { waitFor } from './support/telemetry.js';

/**
 * Analytics across two replicas sharing Postgres: decisions made on one and reviews resolved on
 * the other give both the same reputation (read from the audit log and the review queue); a
 * baseline made on one is the one the other scores against; both see the same burst, yet the alert
 * is stored and notified once; an acknowledgement on one holds on the other.
 */

let state: IsolatedState;
let first: TestGateway;
let second: TestGateway;
let hook: HttpReceiver;

async function call(gateway: TestGateway, method: string, path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${gateway.masterKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const authorize = async (gateway: TestGateway, actor: string, action: string, confidence: number) => {
  const answer = await call(gateway, 'POST', '/v1/agent/authorize', {
    tenant_id: 'acme',
    actor,
    action,
    confidence,
  });
  expect(answer.status).toBe(200);
  return answer.body;
};

beforeAll(async () => {
  state = await isolatedState('analytics');
  hook = await startHttpReceiver(() => ({ status: 204 }));
  const start = () =>
    startTestGateway({
      database_url: state.env.DATABASE_URL,
      database_schema: state.schema,
      governance: {
        confidence: { allow_unverified: true },
        analytics: { sync_interval: '200ms', anomaly: { baseline_sample_size: 30, window_size: 30 } },
      },
      // Decisions reach the shared audit log quickly, so the other replica reads them soon.
      audit: { flush_interval_ms: 50 },
      notifications: {
        channels: [
          {
            name: 'ops',
            type: 'webhook',
            url: `${hook.url}/hooks`,
            secret: 'analytics-replicas-secret-0123456789',
            events: ['analytics.alert'],
          },
        ],
      },
    });
  first = await start();
  second = await start();
}, 60_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  await hook?.close();
  await state?.cleanUp();
});

describe('analytics on two replicas', () => {
  it('gives both replicas the reputation of decisions made on one and reviewed on the other', async () => {
    for (let index = 0; index < 10; index += 1) {
      const answer = await authorize(first, 'shared-bot', 'update_ticket', 0.8);
      const resolved = await call(second, 'POST', `/v1/queue/${String(answer.review_id)}/deny`, {});
      expect(resolved.status).toBe(200);
    }
    for (const replica of [first, second]) {
      const figures = await waitFor(
        async () => {
          const body = (await call(replica, 'GET', '/v1/analytics/reputation/shared-bot?tenant_id=acme'))
            .body;
          return body.reviewed_decisions === 10 ? body : undefined;
        },
        'ten denials on each replica',
        15_000,
      );
      expect(figures).toMatchObject({ status: 'scored', denied: 10, low: true });
      expect(figures.reputation_score).toBeCloseTo(1 / 12, 3);
    }
    // The replica that made none of the decisions knows them too, from the audit log.
    const onSecond = (await call(second, 'GET', '/v1/analytics/reputation/shared-bot?tenant_id=acme')).body;
    expect(onSecond.decision_count).toBe(10);
    // The one that made them counted each once, though it reads them back from the log as well.
    const onFirst = (await call(first, 'GET', '/v1/analytics/reputation/shared-bot?tenant_id=acme')).body;
    expect(onFirst.decision_count).toBe(10);
    expect((await authorize(first, 'shared-bot', 'read_invoice', 0.95)).risk_reliability).toBeCloseTo(
      1 / 12,
      3,
    );
  }, 60_000);

  it('scores a burst on both replicas against one baseline, alerting once', async () => {
    for (let index = 0; index < 30; index += 1)
      await authorize(
        index % 2 === 0 ? first : second,
        'burst-bot',
        index % 3 === 0 ? 'read_invoice' : 'list_orders',
        0.95,
      );
    const baselines = await Promise.all(
      [first, second].map((replica) =>
        waitFor(
          async () => {
            const body = (await call(replica, 'GET', '/v1/analytics/baseline/burst-bot?tenant_id=acme')).body;
            return body.baseline === null ? undefined : (body.baseline as { computed_at: string });
          },
          'a baseline on each replica',
          15_000,
        ),
      ),
    );
    expect(baselines[0]?.computed_at).toBe(baselines[1]?.computed_at);
    for (let index = 0; index < 30; index += 1)
      await authorize(index % 2 === 0 ? second : first, 'burst-bot', `wipe_${index % 3}`, 0.95);
    for (const replica of [first, second]) {
      const anomaly = await waitFor(
        async () => {
          const body = (await call(replica, 'GET', '/v1/analytics/anomalies/burst-bot?tenant_id=acme')).body;
          return body.anomalous === true && body.window_decisions === 30 ? body : undefined;
        },
        'the burst on each replica',
        15_000,
      );
      expect(anomaly.anomaly_score).toBe(1);
    }
    const alerts = await waitFor(async () => {
      const listed = (await call(second, 'GET', '/v1/analytics/alerts?agent_id=burst-bot&status=all')).body
        .alerts as { id: string }[];
      return listed.length > 0 ? listed : undefined;
    }, 'the anomaly alert');
    await waitFor(
      () =>
        hook.requests.find(
          (request) => request.body.includes('"burst-bot"') && request.body.includes('anomaly_high'),
        ),
      'the alert at the webhook',
    );
    // Each replica evaluates alerts in a background pass every second: after a few, still one
    // alert stored and one notification.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stored = (await call(first, 'GET', '/v1/analytics/alerts?agent_id=burst-bot&status=all')).body
      .alerts as unknown[];
    expect(stored).toHaveLength(1);
    expect(hook.requests.filter((request) => request.body.includes('"burst-bot"'))).toHaveLength(1);

    const id = alerts[0]?.id ?? '';
    expect((await call(first, 'POST', `/v1/analytics/alerts/${id}/acknowledge`, {})).status).toBe(200);
    expect((await call(second, 'POST', `/v1/analytics/alerts/${id}/acknowledge`, {})).status).toBe(409);
    const onSecond = (await call(second, 'GET', '/v1/analytics/alerts?agent_id=burst-bot')).body.alerts as {
      status: string;
    }[];
    expect(onSecond.map((alert) => alert.status)).toEqual(['acknowledged']);
  }, 60_000);
});
