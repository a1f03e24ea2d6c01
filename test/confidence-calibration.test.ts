import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../src/governance/analytics/prediction/test-reviews.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createKey, eventually } from './support/shared-state.js';
import { scrape } from './support/telemetry.js';

/**
 * The confidence calibrator end to end (embedded database): reviewers approve what the agent was
 * at least 0.8 sure of and deny the rest. Before 100 reviews exist the gates see the measured
 * confidence; once the calibrator is fitted on them, and predicts reviewers well enough on the
 * newest held out, the gates compare the calibrated confidence — a 0.86 is allowed, a 0.72 denied —
 * while confidences outside the range it learnt from are gated as measured.
 */

let gateway: TestGateway;
let reviewer: string;

beforeAll(async () => {
  gateway = await startTestGateway({ governance: { confidence: { allow_unverified: true } } });
  reviewer = (await createKey(gateway.url, gateway.masterKey, { name: 'ada', role: 'reviewer' })).secret;
});
afterAll(() => gateway?.close());

async function call(method: string, path: string, key: string, body?: unknown) {
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

const authorize = async (confidence: number) => {
  const answer = await call('POST', '/v1/agent/authorize', gateway.masterKey, {
    tenant_id: 'acme',
    actor: 'mail-bot',
    action: 'send_email',
    confidence,
  });
  expect(answer.status).toBe(200);
  return answer.body;
};

describe('the confidence calibrator', () => {
  it('is used by the gates once fitted on reviewed decisions and accurate enough', async () => {
    expect(await authorize(0.86)).toMatchObject({ decision: 'human_review' });

    const random = seededRandom(23);
    const queued: { id: string; approve: boolean }[] = [];
    // Queued first, resolved after: the gates see no calibrator while the samples are made.
    for (let index = 0; index < 200; index += 1) {
      const confidence = Math.round((0.7 + random() * 0.19) * 1000) / 1000;
      const answer = await authorize(confidence);
      expect(answer.decision).toBe('human_review');
      const flipped = random() < 0.05;
      queued.push({ id: String(answer.review_id), approve: confidence >= 0.8 !== flipped });
    }
    for (const { id, approve } of queued) {
      const resolved = await call('POST', `/v1/queue/${id}/${approve ? 'approve' : 'deny'}`, reviewer);
      expect(resolved.status).toBe(200);
    }

    const models = await eventually(
      async () =>
        (await call('GET', '/v1/analytics/models', reviewer)).body.data as Record<string, unknown>[],
      (data) =>
        data.some(
          (model) =>
            model.name === 'confidence_calibration' &&
            model.in_use === true &&
            (model.samples as { in_window: number }).in_window === 200,
        ),
      30_000,
      'the calibrator fitted on the 200 reviews, in use',
    );
    const calibrator = models.find((model) => model.name === 'confidence_calibration');
    expect(calibrator).toMatchObject({
      status: 'ready',
      samples: { in_window: 200, training: 160, held_out: 40 },
      threshold: 0.7,
      version: expect.stringMatching(/^iso-[0-9a-f]{12}$/) as string,
    });
    expect(calibrator?.held_out_accuracy).toBeGreaterThanOrEqual(0.7);
    const { brier } = calibrator?.calibration as { brier: { measured: number; calibrated: number } };
    expect(brier.calibrated).toBeLessThan(brier.measured);

    const confident = await authorize(0.86);
    expect(confident).toMatchObject({ decision: 'allow', allowed: true, confidence_used: 0.86 });
    expect(confident.confidence_calibrated).toBeGreaterThanOrEqual(0.9);
    const doubtful = await authorize(0.72);
    expect(doubtful).toMatchObject({ decision: 'deny', confidence_used: 0.72 });
    expect(String(doubtful.reason)).toMatch(
      /^confidence 0\.72 \(calibrated 0(?:\.\d+)?\) is below the read_only gate 0\.5$/,
    );
    // Beyond what reviews taught it: gated as measured.
    const outside = await authorize(0.95);
    expect(outside).toMatchObject({ decision: 'allow' });
    expect(outside).not.toHaveProperty('confidence_calibrated');

    const metrics = await scrape(`${gateway.url}/metrics`, { authorization: `Bearer ${gateway.masterKey}` });
    expect(
      metrics.value('gatehouse_agent_predictions_total', {
        model: 'confidence_calibration',
        outcome: 'calibrated',
      }),
    ).toBe(2);
    expect(
      metrics.value('gatehouse_agent_prediction_model_in_use', { model: 'confidence_calibration' }),
    ).toBe(1);
  }, 120_000);
});
