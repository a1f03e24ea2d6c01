import { canonicalHash } from './canonical-json.js';
import type { DecisionKind } from './contract.js';
import type { Decision } from './decisions/decide.js';

/**
 * The body of a `POST /v1/agent/authorize` answer: Lelu's fields, with its names, types and
 * omissions (Go `omitempty`: an unset scope or shadow field is left out, never sent as null), plus
 * our own `decision` (and `would_have_decision` in shadow mode), and `review_id` when the decision
 * queued a review (absent otherwise). The risk fields are always sent: the risk is always computed, and Lelu's omission
 * of a zero risk (an artefact of `omitempty` on a number) would hide a real value.
 */
export interface AgentAuthorizeAnswer {
  readonly allowed: boolean;
  readonly reason: string;
  readonly trace_id: string;
  readonly requires_human_review: boolean;
  readonly confidence_used: number;
  /**
   * Ours: what the gates compared instead of `confidence_used` when the confidence calibrator
   * mapped it (docs/governance.md, "Prediction and calibration"); absent otherwise.
   */
  readonly confidence_calibrated?: number;
  readonly decision: DecisionKind;
  readonly downgraded_scope?: 'read_only';
  readonly effective_scope?: string;
  readonly risk_score: number;
  readonly risk_criticality: number;
  readonly risk_reliability: number;
  readonly risk_anomaly_factor: number;
  readonly input_hash: string;
  readonly output_hash: string;
  readonly policy_digest: string;
  readonly shadow_mode?: true;
  readonly would_have_allowed?: boolean;
  readonly would_have_reason?: string;
  readonly would_have_requires_human_review?: boolean;
  readonly would_have_decision?: DecisionKind;
  /** The review queued for a `human_review` decision (not in shadow mode, where nothing is queued). */
  readonly review_id?: string;
}

/** `output_hash`: SHA-256 of the canonical JSON of `{trace_id, decision, reason}` as answered. */
export function outputHash(traceId: string, decision: DecisionKind, reason: string): string {
  return canonicalHash({ trace_id: traceId, decision, reason });
}

function shadowFields(decision: Decision): Partial<AgentAuthorizeAnswer> {
  if (decision.shadow === undefined) return {};
  const { wouldHave, level } = decision.shadow;
  return {
    // Lelu's `shadow_mode` says the caller was allowed whatever the decision: not so when only
    // some policies are in shadow mode (their verdict is reported, the rest enforced).
    ...(level === 'policy' ? {} : { shadow_mode: true as const }),
    would_have_allowed: wouldHave.allowed,
    would_have_reason: wouldHave.reason,
    would_have_requires_human_review: wouldHave.requiresHumanReview,
    would_have_decision: wouldHave.kind,
  };
}

export function agentAnswerOf(decision: Decision, traceId: string, inputHash: string): AgentAuthorizeAnswer {
  const { risk } = decision;
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    trace_id: traceId,
    requires_human_review: decision.requiresHumanReview,
    confidence_used: decision.confidenceUsed,
    ...(decision.confidenceCalibrated === undefined
      ? {}
      : { confidence_calibrated: decision.confidenceCalibrated }),
    decision: decision.kind,
    ...(decision.downgradedScope === undefined ? {} : { downgraded_scope: decision.downgradedScope }),
    ...(decision.effectiveScope === undefined ? {} : { effective_scope: decision.effectiveScope }),
    risk_score: risk.score,
    risk_criticality: risk.criticality,
    risk_reliability: risk.reliability,
    risk_anomaly_factor: risk.anomalyFactor,
    input_hash: inputHash,
    output_hash: outputHash(traceId, decision.kind, decision.reason),
    policy_digest: decision.policy.digest,
    ...shadowFields(decision),
  };
}
