import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { eventually, isolatedState, writeConfigFile, type IsolatedState } from './support/shared-state.js';

/**
 * Lelu documents MIN_SAMPLES_FOR_MODEL, MODEL_UPDATE_INTERVAL, REVIEW_MODEL_WINDOW,
 * CONFIDENCE_MODEL_WINDOW, REVIEW_PREDICTION_THRESHOLD and CONFIDENCE_PREDICTION_THRESHOLD and
 * wires in no model. Here each, set in the environment of the real command line, changes what the
 * gateway does. Three gateway processes in turn on one Postgres schema, with automatic resolution
 * configured (`auto_resolve: both`) and 20 reviews: the defaults would train nothing on them.
 */

let state: IsolatedState;
let configPath: string;
let running: (CliProcess & { url: string }) | undefined;

beforeAll(async () => {
  state = await isolatedState('prediction_env');
  configPath = writeConfigFile({
    audit: { flush_interval_ms: 50 },
    governance: {
      confidence: { allow_unverified: true },
      // The synthetic agents' reputations and bursts would move risk, and with it which decisions
      // reach review; this test is about the models alone.
      analytics: {
        prediction: { auto_resolve: 'both' },
        reputation: { low_threshold: 0 },
        anomaly: { enabled: false },
      },
    },
  });
});

afterAll(async () => {
  await stop();
  await state?.cleanUp();
});

async function start(env: Record<string, string>): Promise<CliProcess & { url: string }> {
  await stop();
  running = await startCliGateway({ env: { ...state.env, ...env }, args: ['--config', configPath] });
  return running;
}

async function stop(): Promise<void> {
  if (running === undefined) return;
  running.kill();
  await running.exited;
  running = undefined;
}

async function call(method: string, path: string, body?: unknown) {
  if (running === undefined) throw new Error('no gateway running');
  const response = await fetch(`${running.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${testMasterKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const authorize = async (actor: string, action: string, confidence: number) =>
  (await call('POST', '/v1/agent/authorize', { tenant_id: 'acme', actor, action, confidence })).body;

interface ModelJson {
  readonly name: string;
  readonly status: string;
  readonly in_use: boolean;
  readonly trainings: number;
  readonly held_out_accuracy: number | null;
  readonly samples: { readonly in_window: number | null };
}

async function models(): Promise<Record<string, ModelJson>> {
  const data = (await call('GET', '/v1/analytics/models')).body.data as ModelJson[];
  return Object.fromEntries(data.map((model) => [model.name, model]));
}

const trainedOn = (samples: number) =>
  eventually(
    models,
    (found) =>
      found.review_outcome?.samples.in_window === samples &&
      found.confidence_calibration?.samples.in_window === samples,
    20_000,
    `both models trained on ${samples} reviews`,
  );

/**
 * Twenty reviews, resolved in this order: the operator approves ops-bot's deletions at 0.84–0.88
 * and denies scraper-bot's refunds at 0.71–0.75, except the last one, approved. The newest four are
 * held out, so each model is measured at 3 of 4.
 */
const reviews = Array.from({ length: 20 }, (_, index) => {
  const approvedPair = index % 2 === 0;
  return {
    actor: approvedPair ? 'ops-bot' : 'scraper-bot',
    action: approvedPair ? 'delete_records' : 'refund_payment',
    confidence: approvedPair ? 0.84 + (index % 5) / 100 : 0.71 + (index % 5) / 100,
    approve: approvedPair || index === 19,
  };
});

describe('the model variables of the environment', () => {
  it('MIN_SAMPLES_FOR_MODEL=20, thresholds at 1, MODEL_UPDATE_INTERVAL=1s: trained on 20 reviews, used by neither the gates nor the queue, retrained every second', async () => {
    await start({
      MIN_SAMPLES_FOR_MODEL: '20',
      MODEL_UPDATE_INTERVAL: '1s',
      REVIEW_PREDICTION_THRESHOLD: '1',
      CONFIDENCE_PREDICTION_THRESHOLD: '1',
    });
    const ids: string[] = [];
    for (const review of reviews) {
      const answer = await authorize(review.actor, review.action, review.confidence);
      expect(answer.decision).toBe('human_review');
      ids.push(String(answer.review_id));
    }
    for (const [index, review] of reviews.entries()) {
      const verb = review.approve ? 'approve' : 'deny';
      expect((await call('POST', `/v1/queue/${ids[index] ?? ''}/${verb}`)).status).toBe(200);
    }
    // MIN_SAMPLES_FOR_MODEL: 20 reviews make a model (the default wants 100).
    const trained = await trainedOn(20);
    expect(trained.review_outcome).toMatchObject({ status: 'ready', in_use: true, held_out_accuracy: 0.75 });
    // CONFIDENCE_PREDICTION_THRESHOLD=1: fitted, 0.75 accurate (enough for the default 0.7), not used.
    expect(trained.confidence_calibration).toMatchObject({
      status: 'ready',
      in_use: false,
      held_out_accuracy: 0.75,
    });
    expect(await authorize('ops-bot', 'send_email', 0.86)).toMatchObject({ decision: 'human_review' });

    // REVIEW_PREDICTION_THRESHOLD=1: a sure denial is shown, and left to a person.
    const unsure = await authorize('scraper-bot', 'refund_payment', 0.7);
    const item = (await call('GET', `/v1/queue/${String(unsure.review_id)}`)).body;
    expect(item).toMatchObject({ status: 'pending', prediction: { outcome: 'denied' } });
    expect((item.prediction as { probability: number }).probability).toBeGreaterThan(0.6);

    // MODEL_UPDATE_INTERVAL=1s: retrained without a new review (the default waits six hours).
    const before = (await models()).review_outcome?.trainings ?? 0;
    await eventually(
      models,
      (found) => (found.review_outcome?.trainings ?? 0) >= before + 2,
      10_000,
      'two more trainings',
    );
  }, 60_000);

  it('the defaults on the same reviews: the calibrator in the gates, a sure prediction resolving its review', async () => {
    await start({ MIN_SAMPLES_FOR_MODEL: '20' });
    const trained = await trainedOn(20);
    expect(trained.confidence_calibration).toMatchObject({ in_use: true, held_out_accuracy: 0.75 });
    // The calibrator says reviewers approve what agents are 0.86 sure of: allowed, not sent to review
    // (an action the risk score passes at 0.86: sending mail, not deleting).
    const allowed = await authorize('ops-bot', 'send_email', 0.86);
    expect(allowed).toMatchObject({ decision: 'allow', confidence_used: 0.86 });
    expect(allowed.confidence_calibrated).toBe(1);
    // 0.7 lies below what the calibrator learnt from: gated as measured, to review, where the
    // prediction (above the default 0.6) resolves it.
    const denied = await authorize('scraper-bot', 'refund_payment', 0.7);
    expect(denied.decision).toBe('human_review');
    const item = (await call('GET', `/v1/queue/${String(denied.review_id)}`)).body;
    expect(item).toMatchObject({ status: 'denied', resolved_by: 'gatehouse:prediction' });
  }, 60_000);

  it('REVIEW_MODEL_WINDOW=1s, CONFIDENCE_MODEL_WINDOW=1s: the same reviews are too old for either model', async () => {
    await start({ MIN_SAMPLES_FOR_MODEL: '20', REVIEW_MODEL_WINDOW: '1s', CONFIDENCE_MODEL_WINDOW: '1s' });
    const found = await eventually(
      models,
      (each) =>
        (each.review_outcome?.trainings ?? 0) >= 1 && (each.confidence_calibration?.trainings ?? 0) >= 1,
      20_000,
      'a training',
    );
    expect(found.review_outcome).toMatchObject({ status: 'insufficient_samples', in_use: false });
    expect(found.confidence_calibration).toMatchObject({ status: 'insufficient_samples', in_use: false });
    expect(found.review_outcome?.samples.in_window).toBe(0);
    expect(await authorize('ops-bot', 'send_email', 0.86)).toMatchObject({ decision: 'human_review' });
  }, 60_000);
});
