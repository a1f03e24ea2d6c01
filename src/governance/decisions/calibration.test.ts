import { describe, expect, it } from 'vitest';
import { agentAnswerOf } from '../agent-answer.js';
import { validateAuthorizeRequest, type AuthorizeRequest } from '../authorize-request.js';
import type { PolicyRequest, PolicySnapshot } from '../contract.js';
import { decisionEventFrom } from '../events.js';
import { defaultGovernanceSettings } from '../governance-settings.js';
import { neutralAgentSignals } from './agent-signals.js';
import type { ConfidenceCalibration } from './calibration.js';
import { decide } from './decide.js';
import { phraseScreener } from './test-phrase-screener.js';

/**
 * The gates with a confidence calibrator: they compare the calibrated value, the reason says both,
 * the answer carries it beside `confidence_used` (still the measured one, as risk and the policy
 * see); without a calibrated value — none in use, outside its range, a missing confidence, or a
 * value that is not a probability — nothing changes.
 */

const asked: PolicyRequest[] = [];
const policy: PolicySnapshot = {
  digest: 'd'.repeat(64),
  version: 1,
  evaluate(request) {
    asked.push(request);
    return { decision: 'allow', reason: 'permitted by policy all', policyIds: ['all'] };
  },
};

function request(body: Record<string, unknown>): AuthorizeRequest {
  const result = validateAuthorizeRequest({ actor: 'bot', action: 'send_email', ...body });
  if (!result.ok) throw result.error;
  return result.request;
}

const measured = (confidence: number) =>
  request({ confidence_signal: { provider: 'local', token_probabilities: [confidence] } });

const calibrator = (
  map: (confidence: number) => number | undefined,
): ConfidenceCalibration & {
  readonly seen: number[];
} => {
  const seen: number[] = [];
  return {
    seen,
    calibrate(confidence) {
      seen.push(confidence);
      return map(confidence);
    },
  };
};

const decideWith = (authorize: AuthorizeRequest, calibration: ConfidenceCalibration | undefined) =>
  decide({
    request: authorize,
    settings: defaultGovernanceSettings,
    policy,
    signals: neutralAgentSignals,
    screen: phraseScreener,
    calibration,
    now: Date.UTC(2026, 0, 1),
  });

describe('the gates with a confidence calibrator', () => {
  it('compare the calibrated confidence: a measured 0.8 that reviewers always approved is allowed', () => {
    const before = decideWith(measured(0.8), undefined);
    expect(before).toMatchObject({ kind: 'human_review', confidenceCalibrated: undefined });
    const after = decideWith(
      measured(0.8),
      calibrator(() => 0.97),
    );
    expect(after).toMatchObject({
      kind: 'allow',
      confidenceUsed: 0.8,
      confidenceCalibrated: 0.97,
    });
    expect(after.parts.find((part) => part.source === 'confidence')?.reason).toBe(
      'confidence 0.8 (calibrated 0.97) meets the allow gate 0.9',
    );
    // Risk and the policy go on seeing what was measured.
    expect(after.risk.score).toBe(before.risk.score);
    expect(asked.at(-1)?.context.confidence).toBe(0.8);
  });

  it('compare the calibrated confidence downwards too: a measured 0.8 reviewers always denied is denied', () => {
    const decision = decideWith(
      measured(0.8),
      calibrator(() => 0.05),
    );
    expect(decision).toMatchObject({
      kind: 'deny',
      decidedBy: 'confidence',
      reason: 'confidence 0.8 (calibrated 0.05) is below the read_only gate 0.5',
    });
  });

  it('put the calibrated value in the answer and the audit event, and only then', () => {
    const calibrated = decideWith(
      measured(0.8),
      calibrator(() => 0.97),
    );
    expect(agentAnswerOf(calibrated, 'trace', 'hash')).toMatchObject({
      confidence_used: 0.8,
      confidence_calibrated: 0.97,
    });
    expect(
      decisionEventFrom(measured(0.8), calibrated, {
        traceId: 'trace',
        timestamp: '2026-01-01T00:00:00.000Z',
        latencyMs: 0,
        inputHash: 'h',
        outputHash: 'o',
      }).confidenceCalibrated,
    ).toBe(0.97);
    const plain = decideWith(
      measured(0.8),
      calibrator(() => undefined),
    );
    expect(agentAnswerOf(plain, 'trace', 'hash')).not.toHaveProperty('confidence_calibrated');
    expect(plain).toMatchObject({ kind: 'human_review', confidenceCalibrated: undefined });
  });

  it('are not asked to calibrate a missing confidence, and ignore a value that is not a probability', () => {
    const never = calibrator(() => 0.99);
    expect(decideWith(request({}), never)).toMatchObject({ kind: 'deny', confidenceCalibrated: undefined });
    expect(never.seen).toEqual([]);
    for (const broken of [1.5, -0.1, Number.NaN]) {
      expect(
        decideWith(
          measured(0.8),
          calibrator(() => broken),
        ),
      ).toMatchObject({
        kind: 'human_review',
        confidenceCalibrated: undefined,
      });
    }
  });
});
