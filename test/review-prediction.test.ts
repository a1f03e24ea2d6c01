import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  seededRandom,
  syntheticActions,
  syntheticAgents,
  usualOutcome,
} from '../src/governance/analytics/prediction/test-reviews.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startHttpReceiver, type HttpReceiver } from './support/notification-receivers.js';
import {
  createKey,
  eventually,
  isolatedState,
  postgresUrl,
  type IsolatedState,
} from './support/shared-state.js';
import { scrape } from './support/telemetry.js';

/**
 * The review-outcome model end to end, on Postgres: 300 decisions sent to review through
 * `POST /v1/agent/authorize` and resolved through `POST /v1/queue/{id}/approve|deny`, where the
 * outcome follows the agent and the action (8 % of them flipped). Once 100 reviews exist a model
 * is trained; measured on the most recent reviews held out it is right at least 80 % of the time,
 * and it says so on `GET /v1/analytics/models` and in metrics. Its prediction shows on pending
 * items; it resolves nothing unless `auto_resolve` is configured, and then only items whose
 * predicted outcome is more probable than the threshold, as `gatehouse:prediction`, through the
 * queue (audit record, wake-up), announcing to people only the reviews it leaves to them.
 */

let state: IsolatedState;
/** auto_resolve off (the default): the model only advises. */
let advising: TestGateway;
/** The same database, auto_resolve both above 0.9. */
let resolving: TestGateway | undefined;
let reviewer: string;
/** Where the resolving gateway announces new reviews. */
let announcements: HttpReceiver | undefined;

const baseConfig = (schema: string) => ({
  database_url: postgresUrl,
  database_schema: schema,
  audit: { flush_interval_ms: 50 },
  governance: { confidence: { allow_unverified: true } },
});

beforeAll(async () => {
  state = await isolatedState('prediction');
  advising = await startTestGateway(baseConfig(state.schema));
  reviewer = (await createKey(advising.url, advising.masterKey, { name: 'ada', role: 'reviewer' })).secret;
});

afterAll(async () => {
  await resolving?.close();
  await announcements?.close();
  await advising?.close();
  await state?.cleanUp();
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(
  gateway: TestGateway,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<Answer> {
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

/** A confidence in the review band (0.7 to 0.89): the gates send the action to a person. */
async function askForReview(gateway: TestGateway, actor: string, action: string, confidence: number) {
  const answer = await call(gateway, 'POST', '/v1/agent/authorize', gateway.masterKey, {
    tenant_id: 'acme',
    actor,
    action,
    confidence,
    resource: { account: 'acc-1' },
    acting_for: 'ada',
  });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ decision: 'human_review', requires_human_review: true });
  return String(answer.body.review_id);
}

interface ModelJson {
  readonly name: string;
  readonly status: string;
  readonly in_use: boolean;
  readonly version: string | null;
  readonly samples: { in_window: number | null; training: number | null; held_out: number | null };
  readonly held_out_accuracy: number | null;
  readonly threshold: number;
  readonly auto_resolve?: string;
}

async function models(gateway: TestGateway): Promise<Record<string, ModelJson>> {
  const answer = await call(gateway, 'GET', '/v1/analytics/models', reviewer);
  expect(answer.status).toBe(200);
  return Object.fromEntries((answer.body.data as ModelJson[]).map((model) => [model.name, model]));
}

const reviewModelWith = (gateway: TestGateway, samples: number) =>
  eventually(
    () => models(gateway),
    (found) => found.review_outcome?.status === 'ready' && found.review_outcome.samples.in_window === samples,
    30_000,
    `a review model trained on ${samples} reviews`,
  );

const random = seededRandom(17);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

describe('the review-outcome model', () => {
  it('is trained once 100 reviews exist and is right at least 80 % of the time on the most recent ones', async () => {
    const before = await models(advising);
    expect(before.review_outcome).toMatchObject({ in_use: false, version: null, held_out_accuracy: null });
    expect(before.review_outcome?.status).toMatch(/^(not_trained|insufficient_samples)$/);

    // Every decision is queued before any is resolved: the gates see no calibrator meanwhile.
    const queued: { id: string; outcome: 'approved' | 'denied' }[] = [];
    for (let index = 0; index < 300; index += 1) {
      const actor = pick(syntheticAgents);
      const action = pick(syntheticActions);
      const confidence = Math.round((0.7 + random() * 0.19) * 1000) / 1000;
      const usual = usualOutcome(actor, action);
      const flipped = random() < 0.08;
      const outcome = flipped ? (usual === 'approved' ? 'denied' : 'approved') : usual;
      queued.push({ id: await askForReview(advising, actor, action, confidence), outcome });
    }
    // No model yet: no prediction on the item.
    const first = await call(advising, 'GET', `/v1/queue/${queued[0]?.id ?? ''}`, reviewer);
    expect(first.body.status).toBe('pending');
    expect(first.body).not.toHaveProperty('prediction');

    for (const { id, outcome } of queued) {
      const verb = outcome === 'approved' ? 'approve' : 'deny';
      const resolved = await call(advising, 'POST', `/v1/queue/${id}/${verb}`, reviewer, {
        resolved_by: 'ada',
      });
      expect(resolved.status).toBe(200);
    }

    const trained = await reviewModelWith(advising, 300);
    const model = trained.review_outcome!;
    expect(model).toMatchObject({
      in_use: true,
      samples: { in_window: 300, training: 240, held_out: 60 },
      threshold: 0.6,
      auto_resolve: 'off',
    });
    expect(model.version).toMatch(/^lr-[0-9a-f]{12}$/);
    expect(model.held_out_accuracy).toBeGreaterThanOrEqual(0.8);

    const metrics = await scrape(`${advising.url}/metrics`, {
      authorization: `Bearer ${advising.masterKey}`,
    });
    expect(metrics.value('gatehouse_agent_prediction_accuracy', { model: 'review_outcome' })).toBe(
      model.held_out_accuracy,
    );
    expect(
      metrics.value('gatehouse_agent_prediction_samples', { model: 'review_outcome', set: 'held_out' }),
    ).toBe(60);
    expect(metrics.value('gatehouse_agent_prediction_model_in_use', { model: 'review_outcome' })).toBe(1);
  }, 180_000);

  it('shows its prediction on pending items and resolves none of them when auto_resolve is off', async () => {
    const ids = [
      await askForReview(advising, 'ops-bot', 'delete_records', 0.8),
      await askForReview(advising, 'scraper-bot', 'refund_payment', 0.8),
    ];
    const pending = await call(advising, 'GET', '/v1/queue/pending?tenant_id=acme', reviewer);
    const items = pending.body.items as Record<string, unknown>[];
    const { version } = (await models(advising)).review_outcome!;
    for (const [id, expected] of [
      [ids[0], 'approved'],
      [ids[1], 'denied'],
    ] as const) {
      const item = items.find((each) => each.id === id);
      expect(item?.prediction).toMatchObject({ outcome: expected, model_version: version });
      const { probability } = item?.prediction as { probability: number };
      // Sure enough to pass the default threshold, yet nothing resolves it: not configured.
      expect(probability).toBeGreaterThan(0.6);
      const waited = await call(advising, 'GET', `/v1/queue/${id}/wait?timeout_ms=0`, reviewer);
      expect(waited.status).toBe(408);
      expect(waited.body).toMatchObject({ status: 'pending', prediction: { outcome: expected } });
    }
    // A key bound to the agent waits on its own item, without the advice meant for reviewers.
    const agentKey = (
      await createKey(advising.url, advising.masterKey, { name: 'ops-bot', agent_id: 'ops-bot' })
    ).secret;
    const own = await call(advising, 'GET', `/v1/queue/${ids[0] ?? ''}`, agentKey);
    expect(own.status).toBe(200);
    expect(own.body).not.toHaveProperty('prediction');
    const automatic = await state.db.query(
      "select count(*)::int as count from review_items where resolver_key_id = 'prediction'",
    );
    expect(automatic.rows[0]).toEqual({ count: 0 });
    const metrics = await scrape(`${advising.url}/metrics`, {
      authorization: `Bearer ${advising.masterKey}`,
    });
    expect(metrics.sum('gatehouse_agent_prediction_auto_resolutions_total')).toBe(0);
    expect(
      metrics.sum('gatehouse_agent_predictions_total', { model: 'review_outcome' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      metrics.value('gatehouse_agent_prediction_latency_seconds_count', { model: 'review_outcome' }),
    ).toBe(metrics.sum('gatehouse_agent_predictions_total', { model: 'review_outcome' }));
  });

  it('keeps the calibrator out of the gates while it predicts reviewers no better than the threshold', async () => {
    // Here the outcome follows agent and action, not confidence: the calibrator learns little.
    const { confidence_calibration: calibrator } = await models(advising);
    expect(calibrator).toMatchObject({ status: 'ready', in_use: false, threshold: 0.7 });
    expect(calibrator?.held_out_accuracy).toBeLessThan(0.7);
    const answer = await call(advising, 'POST', '/v1/agent/authorize', advising.masterKey, {
      tenant_id: 'acme',
      actor: 'ops-bot',
      action: 'send_email',
      confidence: 0.85,
    });
    expect(answer.body.decision).toBe('human_review');
    expect(answer.body).not.toHaveProperty('confidence_calibrated');
  });
});

describe('GET /v1/analytics/models', () => {
  it('answers the master key and reviewers, and refuses everyone else in the usual error shape', async () => {
    expect((await call(advising, 'GET', '/v1/analytics/models', advising.masterKey)).status).toBe(200);
    const anonymous = await fetch(`${advising.url}/v1/analytics/models`);
    expect(anonymous.status).toBe(401);
    const user = (await createKey(advising.url, advising.masterKey, { name: 'user' })).secret;
    const agent = (
      await createKey(advising.url, advising.masterKey, { name: 'bot', agent_id: 'ops-bot', role: 'admin' })
    ).secret;
    for (const key of [user, agent]) {
      const refused = await call(advising, 'GET', '/v1/analytics/models', key);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'permission_denied' } });
    }
  });
});

describe('automatic resolution, configured (auto_resolve: both, threshold 0.9)', () => {
  it('resolves exactly the new items whose predicted outcome is more probable than 0.9, as gatehouse:prediction', async () => {
    const config = baseConfig(state.schema);
    announcements = await startHttpReceiver(() => ({ status: 204 }));
    resolving = await startTestGateway({
      ...config,
      governance: {
        ...config.governance,
        analytics: { prediction: { auto_resolve: 'both', threshold: 0.9 } },
      },
      notifications: {
        channels: [
          {
            name: 'reviews',
            type: 'webhook',
            url: `${announcements.url}/hook`,
            secret: 'test-secret-0123456789',
            events: ['review.created'],
          },
        ],
      },
    });
    const gateway = resolving;
    // It trains at start from the same reviews, deterministically: the advising replica's model.
    const trained = await reviewModelWith(gateway, 300);
    expect(trained.review_outcome?.version).toBe((await models(advising)).review_outcome?.version);

    const asked = [
      ...syntheticAgents.flatMap((actor) => syntheticActions.map((action) => [actor, action] as const)),
      // Never seen: the model is unsure, and unsure predictions stay with people.
      ['new-bot', 'rename_file'] as const,
      ['other-bot', 'archive_logs'] as const,
    ];
    const automatic: string[] = [];
    const left: string[] = [];
    for (const [actor, action] of asked) {
      const id = await askForReview(gateway, actor, action, 0.8);
      const item = (await call(gateway, 'GET', `/v1/queue/${id}`, reviewer)).body;
      if (item.status === 'pending') {
        left.push(id);
        expect((item.prediction as { probability: number }).probability).toBeLessThanOrEqual(0.9);
        continue;
      }
      automatic.push(id);
      expect(item).toMatchObject({ resolved_by: 'gatehouse:prediction', resolver_key_id: 'prediction' });
      const note = String(item.resolution_note);
      const [, outcome, probability] =
        /predicted (approved|denied) with probability (0\.\d+|1\.000)/.exec(note) ?? [];
      expect(Number(probability)).toBeGreaterThan(0.9);
      expect(item.status).toBe(outcome);
      expect(note).toContain('above the threshold 0.9');
      // Resolved items carry no prediction: the resolution and its note are the record.
      expect(item).not.toHaveProperty('prediction');
      // A waiter learns the outcome at once, as from a person's resolution.
      const waited = await call(gateway, 'GET', `/v1/queue/${id}/wait?timeout_ms=1000`, reviewer);
      expect(waited.status).toBe(200);
    }
    expect(automatic.length).toBeGreaterThanOrEqual(6);
    expect(left.length).toBeGreaterThanOrEqual(2);
    // Only the reviews left to people are announced to them.
    await announcements.waitFor(left.length, 10_000);
    const announced = announcements.requests.map(
      (request) => (JSON.parse(request.body) as { data: { review_id: string } }).data.review_id,
    );
    expect(announced.sort()).toEqual([...left].sort());

    const audited = await eventually(
      () =>
        state.db.query<{ count: number }>(
          "select count(*)::int as count from audit_records where type = 'review.resolved' and actor = 'gatehouse:prediction'",
        ),
      (result) => result.rows[0]?.count === automatic.length,
      10_000,
      'the automatic resolutions in the audit log',
    );
    expect(audited.rows[0]?.count).toBe(automatic.length);
    const metrics = await scrape(`${gateway.url}/metrics`, { authorization: `Bearer ${gateway.masterKey}` });
    expect(metrics.sum('gatehouse_agent_prediction_auto_resolutions_total')).toBe(automatic.length);
    expect(metrics.sum('gatehouse_agent_predictions_total', { model: 'review_outcome' })).toBe(asked.length);
    expect(metrics.sum('gatehouse_agent_reviews_total', { outcome: 'queued' })).toBe(asked.length);
  }, 60_000);
});
